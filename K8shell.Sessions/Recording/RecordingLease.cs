using System.Data.Common;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>
/// One call's hold on a stream: its frames go to the stream's file, its normal end completes the stream, and when it
/// ends otherwise (the caller vanished, a newer call took over) where the stream stands is saved for a resume.
/// A write that fails closes the file: ResourceExhausted for a full disk, Internal for anything else.
/// </summary>
internal sealed class RecordingLease(OpenRecordings recordings, RecordingStream stream, CancellationToken token, ILogger logger) : IAsyncDisposable
{
    public RecordingStream Stream => stream;

    /// <summary>Cancelled when the caller goes or another call stops this one (<see cref="RecordingStream.StoppedBecause"/>).</summary>
    public CancellationToken Token => token;

    public async Task ApplyAsync(IncomingFrame frame)
    {
        try
        {
            await stream.File.ApplyAsync(stream, frame, token);
        }
        catch (IOException failure)
        {
            throw await FailAsync(failure);
        }
    }

    /// <summary>The caller sent its last frame: the stream is ended in its file and saved as completed.</summary>
    public async Task<RecordingAck> CompleteAsync(DateTimeOffset endedAt)
    {
        try
        {
            // Not cancelled with the call: a completion is saved whole once it starts.
            await stream.File.CompleteAsync(stream, endedAt, CancellationToken.None);
        }
        catch (IOException failure)
        {
            throw await FailAsync(failure);
        }
        await recordings.CompletedAsync(stream);
        return new RecordingAck { StreamId = stream.StreamId, LastSequence = stream.Accepted, RecordingId = stream.File.RecordingId };
    }

    /// <summary>Saves where the stream stands (unless its file already did, or failed), and lets the next call in.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!stream.Removed && !stream.Completed)
            {
                await stream.File.CheckpointAsync(CancellationToken.None);
            }
        }
        catch (Exception failure) when (failure is IOException or DbException or ObjectDisposedException)
        {
            logger.LogWarning("Stream {StreamId}: where it stands was not saved when its call ended (it resumes from the last checkpoint): {Reason}",
                stream.StreamId, failure.Message);
        }
        finally
        {
            stream.EndCall();
            stream.Calls.Release();
            stream.File.CallEnded();
        }
    }

    private async Task<RpcException> FailAsync(IOException failure)
    {
        logger.LogError("Stream {StreamId}: writing {Path} failed: {Reason}", stream.StreamId, stream.File.Path, failure.Message);
        var status = failure is RecordingDiskFullException
            ? new Status(StatusCode.ResourceExhausted,
                $"the disk holding the recordings is full: stream {stream.StreamId} is kept up to its last saved sequence (GetRecordingState); resume it when there is room")
            : new Status(StatusCode.Internal, $"the recording of stream {stream.StreamId} could not be written: {failure.Message}");
        await recordings.FailedAsync(stream.File, status);
        return new RpcException(status);
    }
}
