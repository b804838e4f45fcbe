using System.Security.Cryptography;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Transport.KeyExchange;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>Builds the protection of one direction from the negotiated names and the derived keys.</summary>
public static class PacketProtections
{
    public static PacketProtection Create(string cipher, string? mac, SessionKeys keys, bool clientToServer)
    {
        var (iv, encryption, integrity) = clientToServer ? ('A', 'C', 'E') : ('B', 'D', 'F');
        return cipher switch
        {
            AlgorithmNames.ChaCha20Poly1305 => new ChaCha20Poly1305Protection(keys.Derive(encryption, ChaCha20Poly1305Protection.KeyLength)),
            AlgorithmNames.Aes256Gcm => new AesGcmProtection(keys.Derive(encryption, 32), keys.Derive(iv, AesGcmProtection.NonceLength)),
            AlgorithmNames.Aes128Gcm => new AesGcmProtection(keys.Derive(encryption, 16), keys.Derive(iv, AesGcmProtection.NonceLength)),
            AlgorithmNames.Aes256Ctr => Ctr(32),
            AlgorithmNames.Aes192Ctr => Ctr(24),
            AlgorithmNames.Aes128Ctr => Ctr(16),
            _ => throw new NotSupportedException($"cipher {cipher}"),
        };

        PacketProtection Ctr(int keyLength)
        {
            var (hash, macKeyLength) = mac switch
            {
                AlgorithmNames.HmacSha256Etm => (HashAlgorithmName.SHA256, 32),
                AlgorithmNames.HmacSha512Etm => (HashAlgorithmName.SHA512, 64),
                _ => throw new NotSupportedException($"MAC {mac}"),
            };
            return new AesCtrEtmProtection(keys.Derive(encryption, keyLength), keys.Derive(iv, 16), hash, keys.Derive(integrity, macKeyLength));
        }
    }
}
