using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Recording;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// One session channel ⇄ one ProcessService stream: stdin, resizes and signals up, stdout (channel
/// data) and stderr (extended data) down, then exit-status or exit-signal, EOF and CLOSE. Each
/// direction waits for the other side to take a chunk before reading the next, so a slow reader
/// slows the writer (SSH window one way, HTTP/2 flow control the other) and nothing piles up here.
/// The relay owns the recording: it ends when the relay does.
/// </summary>
internal sealed class ProcessRelay(SshChannel channel, ConnectionTraffic traffic, IChannelRecording? recording, bool terminal, ILogger logger)
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse>? _call;

    /// <summary>Runs the process that <paramref name="open"/> starts with <paramref name="start"/> until it exits or the channel closes.</summary>
    public async Task RunAsync(Func<CallOptions, AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse>> open, ProcessStart start,
        ReadOnlyMemory<byte> typedAhead, CancellationToken cancellationToken)
    {
        await using var recorded = recording;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var call = _call = open(new CallOptions(cancellationToken: ended.Token));
        var input = Task.CompletedTask;
        var output = Task.FromResult<ProcessExit?>(null);
        string? lost = null;
        try
        {
            await SendAsync(new ProcessRequest { Start = start }, ended.Token);
            input = PumpInputAsync(typedAhead, ended.Token);
            output = PumpOutputAsync(call.ResponseStream, ended.Token);
            // A client that closes the channel hangs the process up, even one that prints nothing.
            if (await Task.WhenAny(output, channel.Closed) != output)
            {
                await ended.CancelAsync();
            }
            var exit = await output;
            await FinishAsync(exit, start.StreamId, cancellationToken);
        }
        catch (RpcException failure) when (!ended.IsCancellationRequested)
        {
            lost = failure.Status.Detail;
        }
        catch (Exception closed) when (closed is SshChannelClosedException or OperationCanceledException)
        {
            // The client or the connection went away: nobody is left to tell.
        }
        if (lost is not null)
        {
            logger.LogWarning("{StreamId}: the workspace connection was lost: {Reason}", start.StreamId, lost);
            await ChannelEnding.FailAsync(channel, traffic, $"k8shell: lost the connection to the workspace ({lost})", terminal, ChannelEnding.ConnectionLost, cancellationToken);
        }
        await ended.CancelAsync();
        await ChannelPumps.QuietlyAsync(input);
    }

    public ValueTask ResizeAsync(WindowSize size, CancellationToken cancellationToken)
    {
        recording?.Resize(size.Columns, size.Rows);
        return SendQuietlyAsync(new ProcessRequest { Resize = size }, cancellationToken);
    }

    public ValueTask SignalAsync(string name, CancellationToken cancellationToken) => SendQuietlyAsync(new ProcessRequest { Signal = name }, cancellationToken);

    /// <summary>exit-status or exit-signal, then EOF and CLOSE; a stream that ended without an exit lost the workspace.</summary>
    private async Task FinishAsync(ProcessExit? exit, string streamId, CancellationToken cancellationToken)
    {
        switch (exit?.StatusCase)
        {
            case ProcessExit.StatusOneofCase.ExitSignal:
                await channel.SendExitSignalAsync(exit.ExitSignal.Name, exit.ExitSignal.CoreDumped, exit.ExitSignal.ErrorMessage, cancellationToken);
                await ChannelEnding.CloseAsync(channel, cancellationToken);
                break;
            case ProcessExit.StatusOneofCase.ExitStatus:
                await ChannelEnding.ExitAsync(channel, exit.ExitStatus, cancellationToken);
                break;
            default:
                throw new RpcException(new Status(StatusCode.Unavailable, $"{streamId} ended without an exit status"));
        }
    }

    private async Task<ProcessExit?> PumpOutputAsync(IAsyncStreamReader<ProcessResponse> responses, CancellationToken cancellationToken)
    {
        while (await responses.MoveNext(cancellationToken))
        {
            var response = responses.Current;
            switch (response.MessageCase)
            {
                case ProcessResponse.MessageOneofCase.Stdout:
                    await WriteAsync(response.Stdout.Memory, stderr: false, cancellationToken);
                    break;
                case ProcessResponse.MessageOneofCase.Stderr:
                    await WriteAsync(response.Stderr.Memory, stderr: true, cancellationToken);
                    break;
                case ProcessResponse.MessageOneofCase.Exit:
                    return response.Exit;
            }
        }
        return null;
    }

    private ValueTask WriteAsync(ReadOnlyMemory<byte> data, bool stderr, CancellationToken cancellationToken) =>
        ChannelPumps.ToClientAsync(channel, traffic, recording, data, stderr, cancellationToken);

    /// <summary>What the user typed while the workspace started goes first, then the channel's data; the client's EOF closes stdin.</summary>
    private async Task PumpInputAsync(ReadOnlyMemory<byte> typedAhead, CancellationToken cancellationToken)
    {
        if (!typedAhead.IsEmpty)
        {
            await SendAsync(new ProcessRequest { Stdin = ByteString.CopyFrom(typedAhead.Span) }, cancellationToken);
        }
        await ChannelPumps.FromClientAsync(channel, traffic, recording,
            (data, token) => SendAsync(new ProcessRequest { Stdin = UnsafeByteOperations.UnsafeWrap(data) }, token), cancellationToken);
        await SendAsync(new ProcessRequest { StdinEof = new StdinEof() }, cancellationToken);
    }

    /// <summary>One message at a time on the request stream, as gRPC requires (stdin, resizes and signals come from different loops).</summary>
    private async ValueTask SendAsync(ProcessRequest request, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _call!.RequestStream.WriteAsync(request, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>A resize or signal after the process ended has nothing left to reach.</summary>
    private async ValueTask SendQuietlyAsync(ProcessRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(request, cancellationToken);
        }
        catch (Exception ended) when (ended is RpcException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            logger.LogDebug("A {Request} reached a process that had ended: {Reason}", request.MessageCase, ended.Message);
        }
    }
}
