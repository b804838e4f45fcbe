using NSec.Cryptography;

namespace K8shell.Ssh.Transport.KeyExchange;

/// <summary>The server's half of curve25519-sha256 (RFC 8731): an ephemeral X25519 key and the shared secret.</summary>
public static class Curve25519Agreement
{
    public const int PublicKeyLength = 32;

    /// <summary>Returns our ephemeral public key Q_S and the shared secret K as raw bytes.</summary>
    public static (byte[] ServerPublicKey, byte[] SharedSecret) Agree(ReadOnlySpan<byte> clientPublicKey)
    {
        var algorithm = KeyAgreementAlgorithm.X25519;
        if (clientPublicKey.Length != PublicKeyLength ||
            !PublicKey.TryImport(algorithm, clientPublicKey, KeyBlobFormat.RawPublicKey, out var client))
        {
            throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed, "invalid curve25519 public key from the client");
        }
        using var ephemeral = Key.Create(algorithm);
        // NSec refuses an all-zero result (a low-order client point), as RFC 8731 §3 requires.
        using var shared = algorithm.Agree(ephemeral, client!, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
            ?? throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed, "curve25519 shared secret is zero");
        return (ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey), shared.Export(SharedSecretBlobFormat.RawSharedSecret));
    }
}
