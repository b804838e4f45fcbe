using System.Buffers.Binary;
using System.Security.Cryptography;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 as OpenSSH uses it): the length is
/// sent in the clear as associated data; the 12-byte nonce is a 4-byte fixed field and a 64-bit
/// invocation counter that grows by one per packet.
/// </summary>
public sealed class AesGcmProtection(ReadOnlySpan<byte> key, ReadOnlySpan<byte> initialNonce) : PacketProtection
{
    public const int NonceLength = 12;
    private const int Tag = 16;

    private readonly AesGcm _aes = new(key, Tag);
    private readonly byte[] _nonce = initialNonce[..NonceLength].ToArray();

    public override int BlockSize => 16;

    public override int TagLength => Tag;

    public override uint ReadLength(uint sequenceNumber, ReadOnlySpan<byte> lengthField) =>
        BinaryPrimitives.ReadUInt32BigEndian(lengthField);

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
        var body = packet[4..];
        _aes.Encrypt(_nonce, body, body, tag, packet[..4]);
        NextNonce();
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag)
    {
        var body = packet[4..];
        try
        {
            _aes.Decrypt(_nonce, body, tag, body, packet[..4]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            NextNonce();
        }
    }

    public override void Dispose() => _aes.Dispose();

    private void NextNonce()
    {
        var counter = _nonce.AsSpan(4);
        BinaryPrimitives.WriteUInt64BigEndian(counter, BinaryPrimitives.ReadUInt64BigEndian(counter) + 1);
    }
}
