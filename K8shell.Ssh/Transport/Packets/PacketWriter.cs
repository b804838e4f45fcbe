using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// Writes binary packets (RFC 4253 §6) straight into the connection's pipe. Not thread-safe:
/// the transport serialises writers, because sequence numbers and cipher state are per direction.
/// </summary>
public sealed class PacketWriter(PipeWriter output)
{
    /// <summary>The keys in use; replacing them (NEWKEYS) restarts <see cref="BytesSinceNewKeys"/>.</summary>
    public PacketProtection Protection
    {
        get;
        set
        {
            // New keys replace the old ones for good (NEWKEYS): the old ones are released here, once.
            field.Dispose();
            field = value;
            BytesSinceNewKeys = 0;
        }
    } = NoProtection.Instance;

    /// <summary>Bytes sent under the current keys: too many call for a re-exchange (RFC 4253 §9).</summary>
    public long BytesSinceNewKeys { get; private set; }

    /// <summary>Counts every packet sent, wrapping at 2^32; strict kex resets it after NEWKEYS.</summary>
    public uint SequenceNumber { get; set; }

    /// <summary>Frames, pads, encrypts and queues one payload; <see cref="FlushAsync"/> sends it.</summary>
    public void Write(ReadOnlySpan<byte> payload) => Write(payload, []);

    /// <summary>
    /// As <see cref="Write(ReadOnlySpan{byte})"/> for a payload in two parts (a message header and
    /// the data it carries), copied straight into the packet: channel data is never staged elsewhere.
    /// </summary>
    public void Write(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var protection = Protection;
        var payloadLength = header.Length + body.Length;
        var aligned = (protection.AlignsLengthField ? 4 : 0) + 1 + payloadLength;
        var padding = protection.BlockSize - aligned % protection.BlockSize;
        if (padding < 4)
        {
            padding += protection.BlockSize;
        }
        var length = 1 + payloadLength + padding;
        var total = 4 + length + protection.TagLength;

        var span = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
        span[4] = (byte)padding;
        header.CopyTo(span[5..]);
        body.CopyTo(span[(5 + header.Length)..]);
        RandomNumberGenerator.Fill(span.Slice(5 + payloadLength, padding));
        protection.Seal(SequenceNumber, span[..(4 + length)], span.Slice(4 + length, protection.TagLength));
        output.Advance(total);
        SequenceNumber++;
        BytesSinceNewKeys += total;
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);
}
