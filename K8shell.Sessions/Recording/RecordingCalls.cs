using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Recording;

/// <summary>
/// One recording call, whatever its kind: the header first (sequence 0, a valid user token), then frames numbered
/// on from the last one on disk; the call's normal end completes the stream and is answered with what is on disk.
/// </summary>
internal sealed class RecordingCalls(OpenRecordings recordings, UserTokens tokens, TimeProvider time)
{
    public async Task<RecordingAck> RunAsync<TFrame>(IAsyncStreamReader<TFrame> frames, Func<TFrame, IncomingFrame> read, ServerCallContext context)
    {
        var cancellation = context.CancellationToken;
        if (!await frames.MoveNext(cancellation) || read(frames.Current) is not { Header: { } header } first)
        {
            throw RecordingFrames.Invalid("the first frame must be the header");
        }
        if (first.Sequence != 0)
        {
            throw RecordingFrames.Invalid($"the header must carry sequence 0, not {first.Sequence}");
        }
        var username = await tokens.UsernameAsync(header.UserToken, cancellation);
        await using var lease = await recordings.AttachAsync(header, username, cancellation);
        try
        {
            while (await frames.MoveNext(lease.Token))
            {
                var frame = read(frames.Current);
                if (frame.Header is not null)
                {
                    throw RecordingFrames.Invalid($"only the first frame may be the header (frame {frame.Sequence} is one)");
                }
                await lease.ApplyAsync(frame);
            }
        }
        catch (OperationCanceledException) when (lease.Stream.StoppedBecause is { } stopped && !cancellation.IsCancellationRequested)
        {
            throw new RpcException(stopped);
        }
        return await lease.CompleteAsync(time.GetUtcNow());
    }
}
