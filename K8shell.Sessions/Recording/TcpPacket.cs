using System.Buffers.Binary;

namespace K8shell.Sessions.Recording;

/// <summary>The TCP flags synthetic captures use.</summary>
[Flags]
internal enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Psh = 0x08,
    Ack = 0x10,
}

/// <summary>One end of a synthetic TCP connection: an IPv4 address (as <see cref="SyntheticAddress"/> gives it) and a port.</summary>
internal readonly record struct TcpEndpoint(uint Address, ushort Port);

/// <summary>
/// Lays out one pcap record: its header, then an IPv4 header and a TCP header with correct checksums (TCP's
/// over the pseudo-header too, so Wireshark's checksum validation passes), then the payload.
/// </summary>
internal static class TcpPacket
{
    /// <summary>Payload per segment: Ethernet's MTU less the IPv4 and TCP headers, as real captures show.</summary>
    public const int MaxSegmentSize = 1460;

    /// <summary>The receive window both ends advertise (no window scaling).</summary>
    public const ushort Window = 65535;

    public const int RecordHeaderSize = 16;
    private const int IpHeaderSize = 20;
    private const int TcpHeaderSize = 20;
    private const int MssOptionSize = 4;
    private const byte Ttl = 64;
    private const byte ProtocolTcp = 6;
    private const ushort DontFragment = 0x4000;

    public const int MaxRecordSize = RecordHeaderSize + IpHeaderSize + TcpHeaderSize + MssOptionSize + MaxSegmentSize;

    /// <summary>Writes the record into <paramref name="record"/> (at least <see cref="MaxRecordSize"/> bytes) and returns its length.</summary>
    public static int Write(
        Span<byte> record, long unixMicroseconds, TcpEndpoint from, TcpEndpoint to,
        uint sequence, uint acknowledgement, TcpFlags flags, ushort ipId, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, MaxSegmentSize);
        var tcpHeaderSize = (flags & TcpFlags.Syn) != 0 ? TcpHeaderSize + MssOptionSize : TcpHeaderSize;
        var packetSize = IpHeaderSize + tcpHeaderSize + payload.Length;

        // Record header, little-endian like the file header: seconds, microseconds, captured and original length.
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(unixMicroseconds / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(unixMicroseconds % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)packetSize);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)packetSize);

        var ip = record.Slice(RecordHeaderSize, IpHeaderSize);
        ip[0] = 0x45; // version 4, 5 words
        ip[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)packetSize);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], ipId);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], DontFragment);
        ip[8] = Ttl;
        ip[9] = ProtocolTcp;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], from.Address);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], to.Address);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(Sum(ip, 0)));

        var tcp = record.Slice(RecordHeaderSize + IpHeaderSize, tcpHeaderSize + payload.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], to.Port);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], acknowledgement);
        tcp[12] = (byte)(tcpHeaderSize / 4 << 4);
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], Window);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[16..], 0); // checksum, urgent pointer
        if (tcpHeaderSize > TcpHeaderSize)
        {
            tcp[20] = 2; // MSS option: kind, length, value
            tcp[21] = MssOptionSize;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[22..], MaxSegmentSize);
        }
        payload.CopyTo(tcp[tcpHeaderSize..]);
        var pseudoHeader = (ulong)(from.Address >> 16) + (from.Address & 0xFFFF) + (to.Address >> 16) + (to.Address & 0xFFFF)
            + ProtocolTcp + (ulong)tcp.Length;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum(Sum(tcp, pseudoHeader)));

        return RecordHeaderSize + packetSize;
    }

    /// <summary>The Internet checksum's running sum of big-endian 16-bit words (RFC 1071).</summary>
    private static ulong Sum(ReadOnlySpan<byte> data, ulong sum)
    {
        var i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }
        return sum;
    }

    private static ushort Checksum(ulong sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
