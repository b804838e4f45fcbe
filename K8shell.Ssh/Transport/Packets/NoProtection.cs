using System.Buffers.Binary;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>Before the first NEWKEYS: packets in the clear, padded to 8 bytes including the length.</summary>
public sealed class NoProtection : PacketProtection
{
    public static NoProtection Instance { get; } = new();

    private NoProtection()
    {
    }

    public override int BlockSize => 8;

    public override int TagLength => 0;

    public override bool AlignsLengthField => true;

    public override uint ReadLength(uint sequenceNumber, ReadOnlySpan<byte> lengthField) =>
        BinaryPrimitives.ReadUInt32BigEndian(lengthField);

    public override void Seal(uint sequenceNumber, Span<byte> packet, Span<byte> tag)
    {
    }

    public override bool Open(uint sequenceNumber, Span<byte> packet, ReadOnlySpan<byte> tag) => true;
}
