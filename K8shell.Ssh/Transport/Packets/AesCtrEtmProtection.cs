using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// aes{128,192,256}-ctr (RFC 4344) with hmac-sha2-{256,512}-etm@openssh.com: the length is sent in
/// the clear, the rest is encrypted with one continuous counter keystream, and the MAC covers the
/// sequence number, the length and the ciphertext (encrypt-then-MAC).
/// </summary>
public sealed class AesCtrEtmProtection : PacketProtection
{
    private const int Block = 16;

    private readonly Aes _aes = Aes.Create();
    private readonly byte[] _counter;
    private readonly IncrementalHash _mac;
    // Sized by the largest packet seen: an interactive session's stay small, a bulk transfer's grow once.
    private byte[] _keystream = [];

    public AesCtrEtmProtection(ReadOnlySpan<byte> key, ReadOnlySpan<byte> initialCounter, HashAlgorithmName macHash, ReadOnlySpan<byte> macKey)
    {
        _aes.Key = key.ToArray();
        _counter = initialCounter[..Block].ToArray();
        _mac = IncrementalHash.CreateHMAC(macHash, macKey);
        TagLength = _mac.HashLengthInBytes;
    }

    public override int BlockSize => Block;

    public override int TagLength { get; }

    public override uint ReadLength(uint sequenceNumber, ReadOnlySpan<byte> lengthField) =>
        BinaryPrimitives.ReadUInt32BigEndian(lengthField);

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        Transform(packet[4..]);
        Authenticate(sequenceNumber, packet, tag);
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[TagLength];
        Authenticate(sequenceNumber, packet, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            return false;
        }
        Transform(packet[4..]);
        return true;
    }

    public override void Dispose()
    {
        _aes.Dispose();
        _mac.Dispose();
    }

    private void Authenticate(uint sequenceNumber, ReadOnlySpan<byte> packet, Span<byte> tag)
    {
        Span<byte> sequence = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sequence, sequenceNumber);
        _mac.AppendData(sequence);
        _mac.AppendData(packet);
        _mac.GetHashAndReset(tag);
    }

    /// <summary>
    /// XORs the keystream into whole blocks, encrypting all counter blocks in one ECB call (AES-NI
    /// pipelines them) into a buffer kept between packets, then XORing a vector at a time.
    /// </summary>
    private void Transform(Span<byte> data)
    {
        if (_keystream.Length < data.Length)
        {
            _keystream = new byte[data.Length]; // grows to the largest packet once, then is reused
        }
        var keystream = _keystream.AsSpan(0, data.Length);
        for (var offset = 0; offset < data.Length; offset += Block)
        {
            _counter.CopyTo(keystream[offset..]);
            Increment(_counter);
        }
        _aes.EncryptEcb(keystream, keystream, PaddingMode.None);
        var i = 0;
        for (; i <= data.Length - Vector<byte>.Count; i += Vector<byte>.Count)
        {
            (new Vector<byte>(data[i..]) ^ new Vector<byte>(keystream[i..])).CopyTo(data[i..]);
        }
        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }

    private static void Increment(byte[] counter)
    {
        for (var i = counter.Length - 1; i >= 0 && ++counter[i] == 0; i--)
        {
        }
    }
}
