using System.Security.Cryptography;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Transport.KeyExchange;

/// <summary>
/// Derives keys from the shared secret K and exchange hash H (RFC 4253 §7.2):
/// HASH(K || H || letter || session_id), extended by HASH(K || H || K1 || ...) until long enough.
/// </summary>
public sealed class SessionKeys(HashAlgorithmName hash, byte[] sharedSecretMPInt, byte[] exchangeHash, byte[] sessionId)
{
    /// <summary>K encoded as an mpint, the form both the exchange hash and key derivation use.</summary>
    public static byte[] EncodeSharedSecret(byte[] magnitude) => SshWriter.Serialize(w => w.WriteUnsignedMPInt(magnitude));

    /// <summary>'A'/'B' initial IVs, 'C'/'D' encryption keys, 'E'/'F' MAC keys (client→server first).</summary>
    public byte[] Derive(char letter, int length)
    {
        var key = new List<byte>(length);
        key.AddRange(Hash([.. sharedSecretMPInt, .. exchangeHash, (byte)letter, .. sessionId]));
        while (key.Count < length)
        {
            key.AddRange(Hash([.. sharedSecretMPInt, .. exchangeHash, .. key]));
        }
        return [.. key.Take(length)];
    }

    private byte[] Hash(byte[] data) => CryptographicOperations.HashData(hash, data);
}
