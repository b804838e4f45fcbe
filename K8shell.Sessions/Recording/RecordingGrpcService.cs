using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Answers RecordingService of sessions.proto: one client-streaming call per recorded channel, resumable by sequence
/// number (<see cref="RecordingCalls"/>), the state a resume starts from, and the end of a connection's recordings.
/// </summary>
internal sealed class RecordingGrpcService(RecordingCalls calls, OpenRecordings recordings, RecordingCatalog catalog, TimeProvider time)
    : RecordingService.RecordingServiceBase
{
    public override Task<RecordingAck> StreamShellRecording(IAsyncStreamReader<ShellRecordingFrame> requestStream, ServerCallContext context) =>
        calls.RunAsync(requestStream, RecordingFrames.Read, context);

    public override Task<RecordingAck> StreamExecRecording(IAsyncStreamReader<ExecRecordingFrame> requestStream, ServerCallContext context) =>
        calls.RunAsync(requestStream, RecordingFrames.Read, context);

    public override Task<RecordingAck> StreamTcpipRecording(IAsyncStreamReader<TcpipRecordingFrame> requestStream, ServerCallContext context) =>
        calls.RunAsync(requestStream, RecordingFrames.Read, context);

    public override Task<RecordingAck> StreamSftpRecording(IAsyncStreamReader<SftpRecordingFrame> requestStream, ServerCallContext context) =>
        calls.RunAsync(requestStream, RecordingFrames.Read, context);

    /// <summary>What is on disk now: a stream open here is saved first, so the answer is never behind its file.</summary>
    public override async Task<RecordingState> GetRecordingState(GetRecordingStateRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.StreamId))
        {
            throw RecordingFrames.Invalid("stream_id is empty");
        }
        if (recordings.Find(request.StreamId) is { Removed: false } open)
        {
            try
            {
                await open.File.CheckpointAsync(context.CancellationToken);
            }
            catch (Exception failure) when (failure is IOException or ObjectDisposedException)
            {
                // The file failed or closed meanwhile: the catalog holds its last checkpoint, which is the answer.
            }
        }
        var row = await catalog.FindAsync(request.StreamId, context.CancellationToken);
        return new RecordingState { StreamId = request.StreamId, LastSequence = row?.LastSequence ?? 0, Completed = row?.Completed ?? false };
    }

    public override async Task<EndRecordingSessionResponse> EndRecordingSession(EndRecordingSessionRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.SessionId))
        {
            throw RecordingFrames.Invalid("session_id is empty");
        }
        var endedAt = request.EndTime is { } end ? UnixTimes.CheckedTime(end, "end_time") : time.GetUtcNow();
        return new EndRecordingSessionResponse
        {
            ClosedRecordings = (uint)await recordings.EndSessionAsync(request.SessionId, endedAt, context.CancellationToken),
        };
    }
}
