using System.Buffers.Binary;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Writes a classic pcap file (version 2.4, LINKTYPE_RAW: each packet starts with its IPv4 header) holding the
/// forwarded channels of one SSH connection to one destination, each as its own synthetic TCP connection
/// (<see cref="TcpFlow"/>). Timestamps come from the chunks' offsets and never go backwards within the file.
/// Safe for concurrent use by the channels that share the file. Disposing it disposes the sink. Its state and its
/// flows' (<see cref="SnapshotAsync"/>) can be saved and the capture continued from them later (<see cref="Resume"/>).
/// </summary>
internal sealed class PcapWriter : IAsyncDisposable
{
    private const uint Magic = 0xA1B2C3D4;
    private const ushort VersionMajor = 2;
    private const ushort VersionMinor = 4;
    private const uint SnapLength = 65535;
    private const uint LinkTypeRaw = 101;
    private const int FileHeaderSize = 24;
    private const ushort FirstEphemeralPort = 49152;

    private readonly IRecordingSink _sink;
    private readonly byte[] _record = new byte[TcpPacket.MaxRecordSize];
    private readonly List<TcpFlow> _open = [];
    private long _lastMicroseconds;
    private uint _flows;
    private ushort _nextPort = FirstEphemeralPort;
    private bool _completed;

    private PcapWriter(IRecordingSink sink, PcapWriterState state)
    {
        _sink = sink;
        _lastMicroseconds = state.LastMicroseconds;
        _flows = state.Flows;
        _nextPort = state.NextPort;
    }

    /// <summary>Serializes every packet of the file; its flows take it for each call.</summary>
    internal SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Writes the file header and puts it on disk, so even a capture without packets is valid.</summary>
    public static async ValueTask<PcapWriter> StartAsync(IRecordingSink sink, CancellationToken cancellationToken)
    {
        var header = new byte[FileHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), VersionMinor);
        // 8..15: time zone offset and timestamp accuracy, both 0 as every writer sets them.
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), SnapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), LinkTypeRaw);
        await sink.WriteRecordAsync(header, cancellationToken);
        await sink.FlushAsync(toDisk: true, cancellationToken);
        return new PcapWriter(sink, new PcapWriterState(0, 0, FirstEphemeralPort));
    }

    /// <summary>
    /// Continues a capture whose file (<paramref name="sink"/>) ends where <paramref name="state"/> was taken; its
    /// flows still open then come back with <see cref="ResumeFlowAsync"/>.
    /// </summary>
    public static PcapWriter Resume(IRecordingSink sink, PcapWriterState state) => new(sink, state);

    /// <summary>The file's state and that of each of <paramref name="flows"/> (null for a closed one), all at one instant.</summary>
    public async ValueTask<(PcapWriterState File, TcpFlowState?[] Flows)> SnapshotAsync(IReadOnlyList<TcpFlow> flows, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return (new PcapWriterState(_lastMicroseconds, _flows, _nextPort), [.. flows.Select(flow => flow.State)]);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A flow open when its state was taken, open again in this writer; nothing is written.</summary>
    public async ValueTask<TcpFlow> ResumeFlowAsync(TcpFlowState state, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfCompleted();
            var flow = new TcpFlow(this, state);
            _open.Add(flow);
            return flow;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Opens a TCP connection in the capture for one forwarded channel and writes its handshake at
    /// <paramref name="startedAt"/>. Hosts that are not IPv4 literals get synthetic addresses
    /// (<see cref="SyntheticAddress"/>); a client port of 0, or one an open flow of this file already uses for the
    /// same destination, is replaced by the next free port from 49152, so every channel is its own TCP stream.
    /// </summary>
    public async ValueTask<TcpFlow> OpenFlowAsync(
        string clientHost, int clientPort, string destinationHost, int destinationPort, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clientPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clientPort, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegative(destinationPort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(destinationPort, ushort.MaxValue);
        await Gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfCompleted();
            var server = new TcpEndpoint(SyntheticAddress.ToIPv4(destinationHost), (ushort)destinationPort);
            var client = new TcpEndpoint(SyntheticAddress.ToIPv4(clientHost), (ushort)clientPort);
            while (client.Port == 0 || _open.Exists(flow => flow.Client == client && flow.Server == server))
            {
                client = client with { Port = _nextPort };
                _nextPort = _nextPort == ushort.MaxValue ? FirstEphemeralPort : (ushort)(_nextPort + 1);
            }
            // Initial sequence numbers spread by a multiplicative hash of the flow's number: fixed, so files repeat.
            var clientIsn = unchecked(++_flows * 2654435761u);
            var flow = new TcpFlow(this, client, server, startedAt, clientIsn, clientIsn ^ 0x5A5A5A5Au);
            await flow.HandshakeAsync();
            _open.Add(flow);
            return flow;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Closes the flows still open at <paramref name="endedAt"/> and puts the file on disk.</summary>
    public async ValueTask CompleteAsync(DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (_completed)
            {
                return;
            }
            foreach (var flow in _open)
            {
                await flow.FinishAsync(endedAt);
            }
            _open.Clear();
            await _sink.FlushAsync(toDisk: true, cancellationToken);
            _completed = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    public ValueTask DisposeAsync() => _sink.DisposeAsync();

    /// <summary>Writes one packet as one record; the caller holds <see cref="Gate"/>.</summary>
    internal async ValueTask WritePacketAsync(
        DateTimeOffset time, TcpEndpoint from, TcpEndpoint to, uint sequence, uint acknowledgement, TcpFlags flags, ushort ipId, ReadOnlyMemory<byte> payload)
    {
        ThrowIfCompleted();
        var microseconds = Math.Max(_lastMicroseconds, (time - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
        var length = TcpPacket.Write(_record, microseconds, from, to, sequence, acknowledgement, flags, ipId, payload.Span);
        // Not cancelled once started: a packet is recorded whole or the file fails.
        await _sink.WriteRecordAsync(_record.AsMemory(0, length), CancellationToken.None);
        _lastMicroseconds = microseconds;
    }

    /// <summary>A closed flow no longer holds its client port; the caller holds <see cref="Gate"/>.</summary>
    internal void Forget(TcpFlow flow) => _open.Remove(flow);

    private void ThrowIfCompleted() => ObjectDisposedException.ThrowIf(_completed, this);
}

/// <summary>
/// A capture file between two packets: the last timestamp written (later ones never go back before it), how many
/// flows it has opened (their initial sequence numbers derive from it) and the next ephemeral port to hand out.
/// </summary>
internal sealed record PcapWriterState(long LastMicroseconds, uint Flows, ushort NextPort);
