using System.Numerics;
using System.Security.Cryptography;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.HostKeys;

/// <summary>An RSA host key that signs only with SHA-2 (rsa-sha2-512, rsa-sha2-256; RFC 8332), never SHA-1.</summary>
public sealed class RsaHostKey : HostKey, IDisposable
{
    public const int DefaultBits = 3072;
    private readonly RSA _rsa;

    private RsaHostKey(RSA rsa)
    {
        _rsa = rsa;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        PublicKeyBlob = SshWriter.Serialize(w =>
        {
            w.WriteUtf8("ssh-rsa");
            w.WriteUnsignedMPInt(parameters.Exponent);
            w.WriteUnsignedMPInt(parameters.Modulus);
        });
    }

    public override IReadOnlyList<string> Algorithms { get; } = [AlgorithmNames.RsaSha512, AlgorithmNames.RsaSha256];

    public override byte[] PublicKeyBlob { get; }

    public override string KeyType => "ssh-rsa";

    public static RsaHostKey Generate(int bits = DefaultBits) => new(RSA.Create(bits));

    public override byte[] Sign(string algorithm, ReadOnlySpan<byte> data)
    {
        var hash = algorithm switch
        {
            AlgorithmNames.RsaSha512 => HashAlgorithmName.SHA512,
            AlgorithmNames.RsaSha256 => HashAlgorithmName.SHA256,
            _ => throw new ArgumentException($"an RSA host key signs with rsa-sha2-512 or rsa-sha2-256, not {algorithm}", nameof(algorithm)),
        };
        var signature = _rsa.SignData(data, hash, RSASignaturePadding.Pkcs1);
        return SshWriter.Serialize(w =>
        {
            w.WriteUtf8(algorithm);
            w.WriteString(signature);
        });
    }

    /// <summary>From an openssh-key-v1 file: n, e, d, iqmp, p, q.</summary>
    internal static RsaHostKey ReadPrivateFields(ref SshReader reader)
    {
        var n = reader.ReadUnsignedMPInt().ToArray();
        var e = reader.ReadUnsignedMPInt().ToArray();
        var d = reader.ReadUnsignedMPInt().ToArray();
        var iqmp = reader.ReadUnsignedMPInt().ToArray();
        var p = reader.ReadUnsignedMPInt().ToArray();
        var q = reader.ReadUnsignedMPInt().ToArray();
        // .NET wants the CRT exponents too, and every field at its full, fixed length.
        var half = (n.Length + 1) / 2;
        var dValue = Unsigned(d);
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = n,
            Exponent = e,
            D = Pad(d, n.Length),
            P = Pad(p, half),
            Q = Pad(q, half),
            DP = Pad((dValue % (Unsigned(p) - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), half),
            DQ = Pad((dValue % (Unsigned(q) - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), half),
            InverseQ = Pad(iqmp, half),
        });
        return new RsaHostKey(rsa);
    }

    internal override void WritePrivateFields(SshWriter writer)
    {
        var parameters = _rsa.ExportParameters(includePrivateParameters: true);
        writer.WriteUnsignedMPInt(parameters.Modulus);
        writer.WriteUnsignedMPInt(parameters.Exponent);
        writer.WriteUnsignedMPInt(parameters.D);
        writer.WriteUnsignedMPInt(parameters.InverseQ);
        writer.WriteUnsignedMPInt(parameters.P);
        writer.WriteUnsignedMPInt(parameters.Q);
    }

    public void Dispose() => _rsa.Dispose();

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static byte[] Pad(byte[] value, int length) =>
        value.Length >= length ? value[^length..] : [.. new byte[length - value.Length], .. value];
}
