using System.Text;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>
/// One ProcessService call as the proxy makes it: a start message, then stdin, EOF, resizes and
/// signals; the responses are collected in the background (stdout, stderr, started, exit).
/// </summary>
internal sealed class ProcessRun : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse> _call;
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private readonly Task _collecting;

    private ProcessRun(AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse> call)
    {
        _call = call;
        _collecting = CollectAsync();
    }

    public ProcessStarted? Started { get; private set; }

    public ProcessExit? Exit { get; private set; }

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return Encoding.UTF8.GetString(_stdout.ToArray());
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return Encoding.UTF8.GetString(_stderr.ToArray());
            }
        }
    }

    /// <summary>An Exec call, started with <paramref name="start"/>.</summary>
    public static Task<ProcessRun> ExecAsync(ProcessService.ProcessServiceClient client, ProcessStart start) =>
        StartAsync(client.Exec(cancellationToken: TestContext.Current.CancellationToken), start);

    /// <summary>A Shell call, started with <paramref name="start"/>.</summary>
    public static Task<ProcessRun> ShellAsync(ProcessService.ProcessServiceClient client, ProcessStart start) =>
        StartAsync(client.Shell(cancellationToken: TestContext.Current.CancellationToken), start);

    private static async Task<ProcessRun> StartAsync(AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse> call, ProcessStart start)
    {
        var run = new ProcessRun(call);
        start.SessionId = start.SessionId.Length > 0 ? start.SessionId : "proxy-1-aa";
        start.StreamId = start.StreamId.Length > 0 ? start.StreamId : $"ex-{start.SessionId}1";
        await run.SendAsync(new ProcessRequest { Start = start });
        return run;
    }

    public Task SendAsync(ProcessRequest request) => _call.RequestStream.WriteAsync(request);

    public Task WriteAsync(string text) => WriteAsync(Encoding.UTF8.GetBytes(text));

    public Task WriteAsync(byte[] data) => SendAsync(new ProcessRequest { Stdin = ByteString.CopyFrom(data) });

    public Task EofAsync() => SendAsync(new ProcessRequest { StdinEof = new StdinEof() });

    /// <summary>Waits (up to 20 s) for the exit message and the end of the call; the failure shows what came.</summary>
    public async Task<ProcessExit> WaitForExitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _collecting.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no exit within 20 s. stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        return Exit ?? throw new InvalidOperationException($"the call ended without an exit message. stdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Waits (up to 20 s) until stdout contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _collecting.IsCompleted)
            {
                throw new TimeoutException($"no \"{text}\" in stdout:\n{Stdout}\nstderr:\n{Stderr}");
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>The call's outcome when it failed with a status.</summary>
    public async Task<RpcException> FailureAsync(CancellationToken cancellationToken) =>
        await Assert.ThrowsAsync<RpcException>(() => _collecting.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken));

    /// <summary>Drops the call without a goodbye, as a proxy whose client vanished does.</summary>
    public void Abandon() => _call.Dispose();

    private async Task CollectAsync()
    {
        await foreach (var response in _call.ResponseStream.ReadAllAsync())
        {
            switch (response.MessageCase)
            {
                case ProcessResponse.MessageOneofCase.Started:
                    Started = response.Started;
                    break;
                case ProcessResponse.MessageOneofCase.Stdout:
                    lock (_stdout)
                    {
                        response.Stdout.WriteTo(_stdout);
                    }
                    break;
                case ProcessResponse.MessageOneofCase.Stderr:
                    lock (_stderr)
                    {
                        response.Stderr.WriteTo(_stderr);
                    }
                    break;
                case ProcessResponse.MessageOneofCase.Exit:
                    Exit = response.Exit;
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        try
        {
            await _collecting;
        }
        catch (RpcException)
        {
            // Cancelled by the dispose, or failed as a test expected.
        }
    }
}
