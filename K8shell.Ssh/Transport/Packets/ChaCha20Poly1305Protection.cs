using System.Buffers.Binary;
using System.Security.Cryptography;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305): a 64-byte key whose second
/// half encrypts the length and first half the body, the original ChaCha20 with the sequence
/// number as 64-bit nonce, and Poly1305 over the encrypted length and body, keyed by the first
/// keystream block. The primitives are libsodium's (<see cref="Sodium"/>).
/// </summary>
public sealed class ChaCha20Poly1305Protection : PacketProtection
{
    public const int KeyLength = 64;
    private const int Tag = 16;

    private readonly byte[] _mainKey;
    private readonly byte[] _headerKey;

    public ChaCha20Poly1305Protection(ReadOnlySpan<byte> key)
    {
        _mainKey = key[..32].ToArray();
        _headerKey = key[32..KeyLength].ToArray();
    }

    public override int BlockSize => 8;

    public override int TagLength => Tag;

    public override uint ReadLength(uint sequenceNumber, ReadOnlySpan<byte> lengthField)
    {
        Span<byte> length = stackalloc byte[4];
        lengthField[..4].CopyTo(length);
        Sodium.ChaCha20Xor(length, sequenceNumber, 0, _headerKey);
        return BinaryPrimitives.ReadUInt32BigEndian(length);
    }

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        Sodium.ChaCha20Xor(packet[..4], sequenceNumber, 0, _headerKey);
        // Block 0 of the body keystream keys Poly1305; the body starts at block 1.
        Sodium.ChaCha20Xor(packet[4..], sequenceNumber, 1, _mainKey);
        Span<byte> polyKey = stackalloc byte[32];
        Sodium.ChaCha20Keystream(polyKey, sequenceNumber, _mainKey);
        Sodium.Poly1305(tag, packet, polyKey);
        CryptographicOperations.ZeroMemory(polyKey);
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        Span<byte> polyKey = stackalloc byte[32];
        Sodium.ChaCha20Keystream(polyKey, sequenceNumber, _mainKey);
        var authentic = Sodium.Poly1305Verify(tag, packet, polyKey);
        CryptographicOperations.ZeroMemory(polyKey);
        if (!authentic)
        {
            return false;
        }
        Sodium.ChaCha20Xor(packet[..4], sequenceNumber, 0, _headerKey);
        Sodium.ChaCha20Xor(packet[4..], sequenceNumber, 1, _mainKey);
        return true;
    }

    public override void Dispose()
    {
        CryptographicOperations.ZeroMemory(_mainKey);
        CryptographicOperations.ZeroMemory(_headerKey);
    }
}
