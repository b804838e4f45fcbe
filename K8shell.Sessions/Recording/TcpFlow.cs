using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>
/// One forwarded channel as a synthetic TCP connection in a capture: a three-way handshake when it opens,
/// segments of at most <see cref="TcpPacket.MaxSegmentSize"/> bytes with consistent sequence and acknowledgement
/// numbers in both directions, and a FIN exchange when it closes. Input is client → destination, output the reverse.
/// Calls are serialized with every other flow of the same file.
/// </summary>
internal sealed class TcpFlow
{
    // The receiver acknowledges at least every half window, so the capture never shows a stalled sender.
    private const int AcknowledgeEvery = TcpPacket.Window / 2;

    private readonly PcapWriter _writer;
    private readonly Peer _client;
    private readonly Peer _server;
    private readonly DateTimeOffset _startedAt;
    private bool _closed;

    internal TcpFlow(PcapWriter writer, TcpEndpoint client, TcpEndpoint server, DateTimeOffset startedAt, uint clientIsn, uint serverIsn)
    {
        _writer = writer;
        _client = new Peer(client, clientIsn);
        _server = new Peer(server, serverIsn);
        _startedAt = startedAt;
    }

    /// <summary>A flow continued from its <see cref="State"/>, without a new handshake.</summary>
    internal TcpFlow(PcapWriter writer, TcpFlowState state)
    {
        _writer = writer;
        _client = Peer.From(state.Client);
        _server = Peer.From(state.Server);
        _startedAt = state.StartedAt;
    }

    public TcpEndpoint Client => _client.Endpoint;

    public TcpEndpoint Server => _server.Endpoint;

    /// <summary>Where both sides' sequence numbers stand, to continue the flow later; null once it is closed. The caller holds the file's gate.</summary>
    internal TcpFlowState? State => _closed ? null : new TcpFlowState(_startedAt, _client.State, _server.State);

    /// <summary>Records bytes sent at <paramref name="offset"/> from the flow's start, split into segments.</summary>
    public async ValueTask WriteAsync(Direction direction, TimeSpan offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _writer.Gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed();
            if (data.IsEmpty)
            {
                return;
            }
            var (from, to) = Sides(direction);
            var time = _startedAt + offset;
            while (!data.IsEmpty)
            {
                var segment = data[..Math.Min(data.Length, TcpPacket.MaxSegmentSize)];
                data = data[segment.Length..];
                if (from.Unacknowledged + segment.Length > AcknowledgeEvery)
                {
                    await SendAsync(to, from, time, TcpFlags.Ack);
                }
                await SendAsync(from, to, time, data.IsEmpty ? TcpFlags.Psh | TcpFlags.Ack : TcpFlags.Ack, segment);
            }
            await SendAsync(to, from, time, TcpFlags.Ack);
        }
        finally
        {
            _writer.Gate.Release();
        }
    }

    /// <summary>
    /// Records that the proxy dropped bytes in one direction: the sequence number jumps over them, so Wireshark
    /// shows "previous segment not captured" and the receiver's acknowledgement of bytes it never showed.
    /// </summary>
    public async ValueTask GapAsync(Direction direction, TimeSpan offset, ulong droppedBytes, CancellationToken cancellationToken)
    {
        await _writer.Gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed();
            var (from, to) = Sides(direction);
            from.Next += unchecked((uint)droppedBytes);
            from.Unacknowledged = 0;
            await SendAsync(to, from, _startedAt + offset, TcpFlags.Ack);
        }
        finally
        {
            _writer.Gate.Release();
        }
    }

    /// <summary>Ends the connection with a FIN from each side; later writes throw.</summary>
    public async ValueTask CloseAsync(TimeSpan offset, CancellationToken cancellationToken)
    {
        await _writer.Gate.WaitAsync(cancellationToken);
        try
        {
            if (!_closed)
            {
                await FinishAsync(_startedAt + offset);
                _writer.Forget(this);
            }
        }
        finally
        {
            _writer.Gate.Release();
        }
    }

    /// <summary>SYN, SYN-ACK, ACK; the caller holds the file's gate.</summary>
    internal async ValueTask HandshakeAsync()
    {
        await SendAsync(_client, _server, _startedAt, TcpFlags.Syn);
        await SendAsync(_server, _client, _startedAt, TcpFlags.Syn | TcpFlags.Ack);
        await SendAsync(_client, _server, _startedAt, TcpFlags.Ack);
    }

    /// <summary>The client closes first, the destination answers, the client acknowledges; the caller holds the gate.</summary>
    internal async ValueTask FinishAsync(DateTimeOffset time)
    {
        _closed = true;
        await SendAsync(_client, _server, time, TcpFlags.Fin | TcpFlags.Ack);
        await SendAsync(_server, _client, time, TcpFlags.Fin | TcpFlags.Ack);
        await SendAsync(_client, _server, time, TcpFlags.Ack);
    }

    private (Peer From, Peer To) Sides(Direction direction) =>
        direction == Direction.Input ? (_client, _server) : (_server, _client);

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The forwarded connection was already closed in its capture.");
        }
    }

    private async ValueTask SendAsync(Peer from, Peer to, DateTimeOffset time, TcpFlags flags, ReadOnlyMemory<byte> payload = default)
    {
        var acknowledges = (flags & TcpFlags.Ack) != 0;
        await _writer.WritePacketAsync(time, from.Endpoint, to.Endpoint, from.Next, acknowledges ? to.Next : 0, flags, from.IpId, payload);
        // SYN and FIN take one sequence number each, like a byte.
        from.Next += (uint)payload.Length + ((flags & (TcpFlags.Syn | TcpFlags.Fin)) != 0 ? 1u : 0u);
        from.Unacknowledged += payload.Length;
        from.IpId++;
        if (acknowledges)
        {
            to.Unacknowledged = 0;
        }
    }

    private sealed class Peer(TcpEndpoint endpoint, uint initialSequence)
    {
        public TcpEndpoint Endpoint { get; } = endpoint;

        public uint Next { get; set; } = initialSequence;

        public int Unacknowledged { get; set; }

        public ushort IpId { get; set; }

        public TcpPeerState State => new(Endpoint, Next, Unacknowledged, IpId);

        public static Peer From(TcpPeerState state) =>
            new(state.Endpoint, state.Next) { Unacknowledged = state.Unacknowledged, IpId = state.IpId };
    }
}

/// <summary>An open flow between two packets: when it started and where each side stands.</summary>
internal sealed record TcpFlowState(DateTimeOffset StartedAt, TcpPeerState Client, TcpPeerState Server);

/// <summary>One side of a flow: its endpoint, its next sequence number, bytes it sent not yet acknowledged, its next IP ID.</summary>
internal sealed record TcpPeerState(TcpEndpoint Endpoint, uint Next, int Unacknowledged, ushort IpId);
