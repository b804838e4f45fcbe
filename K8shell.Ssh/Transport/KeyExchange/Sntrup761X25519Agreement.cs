using System.Security.Cryptography;
using Org.BouncyCastle.Pqc.Crypto.NtruPrime;
using Org.BouncyCastle.Security;

namespace K8shell.Ssh.Transport.KeyExchange;

/// <summary>
/// The server's half of sntrup761x25519-sha512@openssh.com, OpenSSH 9's default post-quantum hybrid:
/// the client sends an sntrup761 public key and an X25519 one; we encapsulate to the first, agree
/// with the second, and the shared secret is SHA-512 of both secrets.
/// </summary>
public static class Sntrup761X25519Agreement
{
    public const int KemPublicKeyLength = 1158;
    private static readonly SecureRandom Random = new();

    /// <summary>Returns our reply (ciphertext || X25519 public key) and the 64-byte shared secret.</summary>
    public static (byte[] ServerPublic, byte[] SharedSecret) Agree(ReadOnlySpan<byte> clientPublic)
    {
        if (clientPublic.Length != KemPublicKeyLength + Curve25519Agreement.PublicKeyLength)
        {
            throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed,
                $"sntrup761x25519: client value of {clientPublic.Length} bytes, expected {KemPublicKeyLength + Curve25519Agreement.PublicKeyLength}");
        }
        var kemPublic = new SNtruPrimePublicKeyParameters(SNtruPrimeParameters.sntrup761, clientPublic[..KemPublicKeyLength].ToArray());
        using var encapsulated = new SNtruPrimeKemGenerator(Random).GenerateEncapsulated(kemPublic);
        var (x25519Public, x25519Secret) = Curve25519Agreement.Agree(clientPublic[KemPublicKeyLength..]);
        var sharedSecret = SHA512.HashData([.. encapsulated.GetSecret(), .. x25519Secret]);
        return ([.. encapsulated.GetEncapsulation(), .. x25519Public], sharedSecret);
    }
}
