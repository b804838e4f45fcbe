using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace K8shell.Ssh.Transport.Packets;

/// <summary>
/// Reads binary packets (RFC 4253 §6) from the connection. Lengths are checked before anything is
/// buffered, so a peer cannot make us hold more than one maximum-size packet.
/// </summary>
public sealed class PacketReader(PipeReader input)
{
    /// <summary>The largest packet_length accepted (SPEC.md §2: packets up to 256 KiB).</summary>
    public const int MaxPacketLength = 256 * 1024;

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

    /// <summary>Bytes received under the current keys: too many call for a re-exchange (RFC 4253 §9).</summary>
    public long BytesSinceNewKeys { get; private set; }

    /// <summary>Counts every packet received, wrapping at 2^32; strict kex resets it after NEWKEYS.</summary>
    public uint SequenceNumber { get; set; }

    // A pooled state machine: a packet that has to wait for the network allocates nothing.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SshPacket> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var protection = Protection;
            var result = await input.ReadAtLeastAsync(4, cancellationToken);
            if (result.Buffer.IsEmpty && result.IsCompleted)
            {
                throw new SshProtocolException(SshDisconnectReason.ConnectionLost, "connection closed by the peer");
            }
            EnsureAvailable(result, 4);
            Span<byte> lengthField = stackalloc byte[4];
            result.Buffer.Slice(0, 4).CopyTo(lengthField);
            var length = protection.ReadLength(SequenceNumber, lengthField);
            input.AdvanceTo(result.Buffer.Start);
            Validate(length, protection);

            var total = 4 + (int)length + protection.TagLength;
            result = await input.ReadAtLeastAsync(total, cancellationToken);
            EnsureAvailable(result, total);
            var buffer = ArrayPool<byte>.Shared.Rent(total);
            result.Buffer.Slice(0, total).CopyTo(buffer);
            input.AdvanceTo(result.Buffer.GetPosition(total));

            try
            {
                var packet = buffer.AsSpan(0, 4 + (int)length);
                if (!protection.Open(SequenceNumber, packet, buffer.AsSpan(packet.Length, protection.TagLength)))
                {
                    throw new SshProtocolException(SshDisconnectReason.MacError, $"packet {SequenceNumber}: message authentication failed");
                }
                var padding = buffer[4];
                var payloadLength = (int)length - 1 - padding;
                if (padding < 4 || payloadLength < 1)
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"packet {SequenceNumber}: invalid padding length {padding}");
                }
                SequenceNumber++;
                BytesSinceNewKeys += total;
                return new SshPacket(buffer, 5, payloadLength);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
        catch (IOException reset)
        {
            // A reset (RST) is how many clients leave: the connection is lost, not the library broken.
            throw new SshProtocolException(SshDisconnectReason.ConnectionLost, $"connection lost: {reset.Message}");
        }
    }

    private static void Validate(uint length, PacketProtection protection)
    {
        if (length > MaxPacketLength)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"packet length {length} exceeds the {MaxPacketLength}-byte limit");
        }
        var aligned = (protection.AlignsLengthField ? 4 : 0) + length;
        if (length < 5 || aligned % protection.BlockSize != 0)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"packet length {length} is not a whole number of {protection.BlockSize}-byte blocks");
        }
    }

    private static void EnsureAvailable(ReadResult result, int needed)
    {
        if (result.Buffer.Length < needed)
        {
            throw new SshProtocolException(SshDisconnectReason.ConnectionLost, "connection closed in the middle of a packet");
        }
    }
}
