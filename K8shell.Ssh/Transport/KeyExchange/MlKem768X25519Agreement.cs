using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace K8shell.Ssh.Transport.KeyExchange;

/// <summary>
/// The server's half of mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex, OpenSSH 9.9's
/// default): the client sends an ML-KEM-768 encapsulation key and an X25519 key; we encapsulate to
/// the first, agree with the second, and the shared secret is SHA-256 of both secrets. ML-KEM comes
/// from BouncyCastle because .NET's own needs OpenSSL 3.5, which our Debian base does not have.
/// </summary>
public static class MlKem768X25519Agreement
{
    private static readonly MLKemParameters Kem = MLKemParameters.ml_kem_768;
    public const int KemPublicKeyLength = 1184;
    private static readonly SecureRandom Random = new();

    /// <summary>Returns our reply (ciphertext || X25519 public key) and the 32-byte shared secret.</summary>
    public static (byte[] ServerPublic, byte[] SharedSecret) Agree(ReadOnlySpan<byte> clientPublic)
    {
        if (clientPublic.Length != KemPublicKeyLength + Curve25519Agreement.PublicKeyLength)
        {
            throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed,
                $"mlkem768x25519: client value of {clientPublic.Length} bytes, expected {KemPublicKeyLength + Curve25519Agreement.PublicKeyLength}");
        }
        MLKemPublicKeyParameters kemPublic;
        try
        {
            // FIPS 203 §7.2: the encapsulation key's coefficients must be reduced modulo q.
            kemPublic = MLKemPublicKeyParameters.FromEncoding(Kem, clientPublic[..KemPublicKeyLength].ToArray());
        }
        catch (ArgumentException invalid)
        {
            throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed, $"mlkem768x25519: invalid ML-KEM public key ({invalid.Message})");
        }
        var encapsulator = new MLKemEncapsulator(Kem);
        encapsulator.Init(new ParametersWithRandom(kemPublic, Random));
        var ciphertext = new byte[encapsulator.EncapsulationLength];
        var kemSecret = new byte[encapsulator.SecretLength];
        encapsulator.Encapsulate(ciphertext, kemSecret);
        var (x25519Public, x25519Secret) = Curve25519Agreement.Agree(clientPublic[KemPublicKeyLength..]);
        var sharedSecret = SHA256.HashData([.. kemSecret, .. x25519Secret]);
        CryptographicOperations.ZeroMemory(kemSecret);
        return ([.. ciphertext, .. x25519Public], sharedSecret);
    }
}
