using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.SshProxy.Recording;

/// <summary>
/// The recordings of one SSH connection (<see cref="IChannelRecorders"/>). Disposing it, when the connection closes
/// and after its channels' recordings, calls EndRecordingSession so Sessions closes the connection's files (the PCAP
/// its forwards share).
/// </summary>
internal sealed class ChannelRecorders(
    RecordingService.RecordingServiceClient client,
    string sessionId,
    Func<CancellationToken, ValueTask<string>> userToken,
    RecordingOptions options,
    RecordingMetrics metrics,
    ILogger<ChannelRecording> logger,
    TimeProvider time) : IChannelRecorders, IAsyncDisposable
{
    private readonly ConcurrentDictionary<ChannelRecording, bool> _recordings = new();
    private int _started;

    public async ValueTask<IChannelRecording?> StartAsync(RecordingRequest request, CancellationToken cancellationToken)
    {
        if (!RecordObligation.Records(request.Kind, request.Obligation, options))
        {
            return null;
        }
        if (options.FailMode == RecordingFailMode.Closed)
        {
            await EnsureReachableAsync(request, cancellationToken);
        }
        var recordInput = options.RecordInput && request.Kind is RecordingKind.Shell or RecordingKind.Exec;
        var wire = RecordingWires.For(client, request, sessionId, userToken, time.GetUtcNow(), recordInput);
        var recording = new ChannelRecording(client, wire, request.StreamId, recordInput, options, metrics, logger, closed => _recordings.TryRemove(closed, out _));
        _recordings.TryAdd(recording, true);
        Interlocked.Exchange(ref _started, 1);
        return recording;
    }

    /// <summary>Completes the recordings still open, then closes the connection's files in Sessions if it had any.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_recordings.Keys.Select(recording => recording.DisposeAsync().AsTask()));
        if (Volatile.Read(ref _started) == 0)
        {
            return;
        }
        try
        {
            await client.EndRecordingSessionAsync(new EndRecordingSessionRequest { SessionId = sessionId, EndTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) });
        }
        catch (RpcException failure)
        {
            logger.LogWarning("Could not end the recordings of session {SessionId} ({Status}: {Detail}); Sessions closes idle files itself",
                sessionId, failure.StatusCode, failure.Status.Detail);
        }
    }

    /// <summary>With failMode closed: Sessions must answer now, or the channel is refused.</summary>
    private async Task EnsureReachableAsync(RecordingRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetRecordingStateAsync(new GetRecordingStateRequest { StreamId = request.StreamId }, cancellationToken: cancellationToken);
        }
        catch (RpcException failure) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Refused to start {Kind} channel {StreamId}: it must be recorded and Sessions is unreachable ({Status}: {Detail})",
                request.Kind, request.StreamId, failure.StatusCode, failure.Status.Detail);
            throw new RecordingRefusedException("recording is required and the session service is unavailable; try again later");
        }
    }
}
