using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Wire;
using NSec.Cryptography;

namespace K8shell.Ssh.HostKeys;

/// <summary>An ssh-ed25519 host key (RFC 8709), through libsodium.</summary>
public sealed class Ed25519HostKey : HostKey, IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private Ed25519HostKey(Key key)
    {
        _key = key;
        PublicKeyBlob = SshWriter.Serialize(w =>
        {
            w.WriteUtf8(AlgorithmNames.Ed25519);
            w.WriteString(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        });
    }

    public override IReadOnlyList<string> Algorithms { get; } = [AlgorithmNames.Ed25519];

    public override byte[] PublicKeyBlob { get; }

    public override string KeyType => AlgorithmNames.Ed25519;

    /// <summary>The 32-byte private seed, for saving the key.</summary>
    public byte[] ExportSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public static Ed25519HostKey Generate() =>
        new(Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public static Ed25519HostKey FromSeed(ReadOnlySpan<byte> seed) =>
        new(Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public override byte[] Sign(string algorithm, ReadOnlySpan<byte> data)
    {
        if (algorithm != AlgorithmNames.Ed25519)
        {
            throw new ArgumentException($"an Ed25519 key cannot sign with {algorithm}", nameof(algorithm));
        }
        var signature = Algorithm.Sign(_key, data);
        return SshWriter.Serialize(w =>
        {
            w.WriteUtf8(AlgorithmNames.Ed25519);
            w.WriteString(signature);
        });
    }

    /// <summary>From an openssh-key-v1 file: the public key, then seed and public key together.</summary>
    internal static Ed25519HostKey ReadPrivateFields(ref SshReader reader)
    {
        var publicKey = reader.ReadString();
        var privateKey = reader.ReadString();
        if (publicKey.Length != 32 || privateKey.Length != 64 || !privateKey[32..].SequenceEqual(publicKey))
        {
            throw new FormatException("malformed ssh-ed25519 private key");
        }
        return FromSeed(privateKey[..32]);
    }

    internal override void WritePrivateFields(SshWriter writer)
    {
        var publicKey = _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        writer.WriteString(publicKey);
        writer.WriteString([.. ExportSeed(), .. publicKey]);
    }

    public void Dispose() => _key.Dispose();
}
