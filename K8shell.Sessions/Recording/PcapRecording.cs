using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>
/// A capture open for writing: the forwards (or SFTP channels) of one connection to one destination, each its own
/// TCP flow in one <c>.pcap</c> file.
/// </summary>
/// <remarks>
/// A gap carries no direction (sessions.proto's RecordingGap): the proxy knows only how much it dropped. It is
/// recorded on the destination → client side, where the bulk of a forward's bytes usually flows: that side's
/// sequence number jumps by the dropped count, so Wireshark marks the next segment "previous segment not captured"
/// whichever way the lost bytes went.
/// </remarks>
internal sealed class PcapRecording(RecordingFile file, PcapWriter writer, string path, string recordingId, string sessionId, Checkpoints checkpoints)
    : OpenRecording(file, path, recordingId, sessionId, checkpoints)
{
    private readonly Dictionary<RecordingStream, TcpFlow> _flows = [];

    /// <summary>A stream new to the file, or whose flow never reached a checkpoint: a new flow, with its handshake.</summary>
    public async Task<RecordingStream> OpenFlowAsync(RecordingRow row, ForwardEndpoints endpoints, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var flow = await writer.OpenFlowAsync(endpoints.ClientHost, endpoints.ClientPort, endpoints.DestinationHost, endpoints.DestinationPort,
                row.StartedAt, cancellationToken);
            return Add(row, flow);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A stream whose flow was open at the file's last checkpoint, continued from there.</summary>
    public async Task<RecordingStream> ResumeFlowAsync(RecordingRow row, TcpFlowState state, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return Add(row, await writer.ResumeFlowAsync(state, cancellationToken));
        }
        finally
        {
            Gate.Release();
        }
    }

    protected override async ValueTask WriteAsync(RecordingStream stream, IncomingFrame frame, CancellationToken cancellationToken)
    {
        var flow = _flows[stream];
        if (frame.Chunk is { } chunk)
        {
            await flow.WriteAsync(RecordingFrames.DirectionOf(chunk), RecordingFrames.Offset(chunk.TimeOffsetMs), chunk.Data.Memory, cancellationToken);
        }
        else if (frame.Gap is { } gap)
        {
            await flow.GapAsync(Direction.Output, RecordingFrames.Offset(gap.TimeOffsetMs), gap.DroppedBytes, cancellationToken);
        }
    }

    protected override async ValueTask<ResumeState[]> StatesAsync(long length, CancellationToken cancellationToken)
    {
        var (file, flows) = await writer.SnapshotAsync([.. Streams.Select(stream => _flows[stream])], cancellationToken);
        return [.. flows.Select(flow => new ResumeState(length, Pcap: file, Flow: flow))];
    }

    /// <summary>The forward's FIN exchange, at the time its last frame reached.</summary>
    protected override ValueTask EndStreamAsync(RecordingStream stream, DateTimeOffset endedAt)
    {
        var flow = _flows[stream];
        return flow.CloseAsync(endedAt - stream.StartedAt, CancellationToken.None);
    }

    protected override void Forget(RecordingStream stream) => _flows.Remove(stream);

    protected override ValueTask EndFileAsync(DateTimeOffset endedAt) => writer.CompleteAsync(endedAt, CancellationToken.None);

    private RecordingStream Add(RecordingRow row, TcpFlow flow)
    {
        var stream = new RecordingStream(row, this);
        _flows[stream] = flow;
        Streams.Add(stream);
        MarkDirty();
        return stream;
    }
}
