using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Turns what recording calls depend on failing into precise statuses, logged once here: the catalog (the database)
/// → Unavailable; a full disk when a file is created → ResourceExhausted; a file that cannot be reopened where the
/// catalog says it stands (gone, shorter, its saved state unreadable) → DataLoss. A call whose caller went away
/// ends as it ended, unlogged: a cut stream is expected, and resumable.
/// </summary>
internal sealed class RecordingFailures(ILogger<RecordingFailures> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception failure) when (Translate(failure, context) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception failure) when (Translate(failure, context) is { } status)
        {
            throw new RpcException(status);
        }
    }

    private Status? Translate(Exception failure, ServerCallContext context)
    {
        if (failure is RpcException || context.CancellationToken.IsCancellationRequested)
        {
            return null;
        }
        switch (failure)
        {
            case DbException:
                logger.LogError(failure, "{Method}: the recordings catalog failed", context.Method);
                return new Status(StatusCode.Unavailable, "the recordings catalog is unavailable; try again");
            case RecordingDiskFullException:
                logger.LogError("{Method}: {Problem}", context.Method, failure.Message);
                return new Status(StatusCode.ResourceExhausted, "the disk holding the recordings is full; try again when there is room");
            case FileNotFoundException or DirectoryNotFoundException or InvalidDataException:
                logger.LogError("{Method}: {Problem}", context.Method, failure.Message);
                return new Status(StatusCode.DataLoss, $"the recording cannot be continued where it stood: {failure.Message}");
            case IOException or UnauthorizedAccessException:
                logger.LogError(failure, "{Method}: a recording file could not be opened", context.Method);
                return new Status(StatusCode.Internal, $"a recording file could not be opened: {failure.Message}");
            default:
                return null;
        }
    }
}
