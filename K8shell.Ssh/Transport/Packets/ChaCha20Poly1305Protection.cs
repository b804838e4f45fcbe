using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305): a 64-byte key whose second
/// half encrypts the length and first half the body, the original ChaCha20 with the sequence
/// number as 64-bit nonce, and Poly1305 over the encrypted length and body, keyed by the first
/// keystream block.
/// </summary>
public sealed class ChaCha20Poly1305Protection : PacketProtection
{
    public const int KeyLength = 64;
    private const int Tag = 16;

    private readonly KeyParameter _mainKey;
    private readonly KeyParameter _headerKey;

    public ChaCha20Poly1305Protection(ReadOnlySpan<byte> key)
    {
        _mainKey = new KeyParameter(key[..32]);
        _headerKey = new KeyParameter(key[32..KeyLength]);
    }

    public override int BlockSize => 8;

    public override int TagLength => Tag;

    public override uint ReadLength(uint sequenceNumber, ReadOnlySpan<byte> lengthField)
    {
        Span<byte> length = stackalloc byte[4];
        Cipher(_headerKey, sequenceNumber).ProcessBytes(lengthField, length);
        return BinaryPrimitives.ReadUInt32BigEndian(length);
    }

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        Cipher(_headerKey, sequenceNumber).ProcessBytes(packet[..4], packet[..4]);
        var body = Cipher(_mainKey, sequenceNumber, out var polyKey);
        body.ProcessBytes(packet[4..], packet[4..]);
        Authenticate(polyKey, packet, tag);
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        var body = Cipher(_mainKey, sequenceNumber, out var polyKey);
        Span<byte> expected = stackalloc byte[Tag];
        Authenticate(polyKey, packet, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            return false;
        }
        Cipher(_headerKey, sequenceNumber).ProcessBytes(packet[..4], packet[..4]);
        body.ProcessBytes(packet[4..], packet[4..]);
        return true;
    }

    private static ChaChaEngine Cipher(KeyParameter key, uint sequenceNumber)
    {
        var nonce = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(nonce, sequenceNumber);
        var engine = new ChaChaEngine(20);
        engine.Init(forEncryption: true, new ParametersWithIV(key, nonce));
        return engine;
    }

    /// <summary>The body cipher, advanced past block 0, whose first 32 bytes are the Poly1305 key.</summary>
    private static ChaChaEngine Cipher(KeyParameter key, uint sequenceNumber, out byte[] polyKey)
    {
        var engine = Cipher(key, sequenceNumber);
        var block = new byte[64];
        engine.ProcessBytes(block, block);
        polyKey = block[..32];
        return engine;
    }

    /// <summary>Poly1305 over the (encrypted) length and body as they are on the wire.</summary>
    private static void Authenticate(byte[] polyKey, ReadOnlySpan<byte> packet, Span<byte> tag)
    {
        var mac = new Poly1305();
        mac.Init(new KeyParameter(polyKey));
        mac.BlockUpdate(packet);
        mac.DoFinal(tag);
    }
}
