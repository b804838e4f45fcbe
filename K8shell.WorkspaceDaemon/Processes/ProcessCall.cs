using System.Buffers;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// One running process and its gRPC stream: requests feed stdin, resizes and signals; stdout and
/// stderr flow back as they come, each read waiting until the previous chunk was accepted by the
/// stream (HTTP/2 flow control), so a caller that stops reading stops the process, not our memory.
/// The exit status goes last. A caller that vanishes hangs the process up (SIGHUP to its group).
/// </summary>
internal sealed class ProcessCall(
    ProcessPlan plan,
    ProcessStart start,
    IAsyncStreamReader<ProcessRequest> requests,
    IServerStreamWriter<ProcessResponse> responses,
    SessionRegistry sessions,
    ILogger<ProcessCall> logger)
{
    /// <summary>Exit code for a program that could not be started, as shells and sshd report it.</summary>
    public const uint CannotRun = 127;

    private const int ChunkSize = 32 * 1024;

    private static readonly ReadOnlyMemory<byte> EndOfFileCharacter = new byte[] { 0x04 };

    /// <summary>How long a terminal's last output may take to arrive after its shell exited, before we hang it up.</summary>
    private static readonly TimeSpan TerminalDrain = TimeSpan.FromMilliseconds(250);

    /// <summary>After SIGHUP, how long a vanished caller's processes get before SIGKILL.</summary>
    private static readonly TimeSpan HangupGrace = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _writing = new(1, 1);
    private RpcException? _brokenRequest;

    private bool OnTerminal => plan.Launch.Terminal is not null;

    public async Task RunAsync(CancellationToken callEnded)
    {
        using var starting = sessions.BeginStart(start.SessionId);
        ProcessSession session;
        try
        {
            session = ProcessSession.Start(plan.Launch);
        }
        catch (IOException failure)
        {
            logger.LogWarning("{Kind} {StreamId}: {Reason}", plan.Kind, start.StreamId, failure.Message);
            await SendAsync(Output(Encoding.UTF8.GetBytes($"k8shelld: {failure.Message}{(OnTerminal ? "\r\n" : "\n")}"), stderr: !OnTerminal), callEnded);
            await SendAsync(new ProcessResponse { Exit = new ProcessExit { ExitStatus = CannotRun } }, callEnded);
            return;
        }

        await using (session)
        using (starting.Started(session.Child))
        {
            logger.LogInformation("{Kind} {StreamId} for session {SessionId}: pid {Pid} {Program}{Terminal}", plan.Kind, start.StreamId,
                start.SessionId, session.Child.Pid, plan.Launch.Program, session.TerminalName is { } name ? $" on {name}" : "");
            try
            {
                await RelayAsync(session, callEnded);
            }
            catch (Exception failure) when (callEnded.IsCancellationRequested && failure is OperationCanceledException or IOException or InvalidOperationException)
            {
                await HangUpAsync(session, "the caller went away");
            }
        }
    }

    private async Task RelayAsync(ProcessSession session, CancellationToken callEnded)
    {
        await SendAsync(new ProcessResponse
        {
            Started = new ProcessStarted { Pid = (uint)session.Child.Pid, PtyName = session.TerminalName ?? "", Program = plan.Launch.Program },
        }, callEnded);
        if (plan.Splash is { } splash)
        {
            await SendAsync(Output(Encoding.UTF8.GetBytes(splash), stderr: false), callEnded);
        }

        using var inputDone = CancellationTokenSource.CreateLinkedTokenSource(callEnded);
        var input = PumpInputAsync(session, inputDone.Token);
        var stdout = PumpOutputAsync(session.Output, stderr: false, callEnded);
        var stderr = session.Error is { } error ? PumpOutputAsync(error, stderr: true, callEnded) : Task.CompletedTask;

        var exit = await session.Child.Exited.WaitAsync(callEnded);
        if (OnTerminal)
        {
            // The terminal stays open while background jobs hold it; like sshd, the shell's end is the
            // session's end: what is written by now is sent, then the terminal is hung up.
            await Task.WhenAny(stdout, Task.Delay(TerminalDrain, callEnded));
            session.HangUpTerminal();
            await stdout;
        }
        else
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(callEnded);
        }
        if (_brokenRequest is not null)
        {
            throw _brokenRequest;
        }
        await SendAsync(new ProcessResponse { Exit = ToExit(exit) }, callEnded);
        logger.LogInformation("{Kind} {StreamId}: pid {Pid} ended, {Exit}", plan.Kind, start.StreamId, session.Child.Pid, exit);
        await inputDone.CancelAsync();
        await input; // it ends quietly on cancellation
    }

    private async Task PumpInputAsync(ProcessSession session, CancellationToken cancellationToken)
    {
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                var request = requests.Current;
                switch (request.MessageCase)
                {
                    case ProcessRequest.MessageOneofCase.Stdin:
                        await session.Input.WriteAsync(request.Stdin.Memory, cancellationToken);
                        break;
                    case ProcessRequest.MessageOneofCase.StdinEof:
                        await CloseInputAsync(session, cancellationToken);
                        break;
                    case ProcessRequest.MessageOneofCase.Resize:
                        var size = request.Resize;
                        session.Resize(new TerminalSize((ushort)size.Columns, (ushort)size.Rows, (ushort)size.WidthPixels, (ushort)size.HeightPixels));
                        break;
                    case ProcessRequest.MessageOneofCase.Signal:
                        Signal(session, request.Signal);
                        break;
                    default:
                        logger.LogWarning("{Kind} {StreamId}: ignored a second start message", plan.Kind, start.StreamId);
                        break;
                }
            }
            // The caller will send nothing more: for a process, that is end of input.
            await CloseInputAsync(session, cancellationToken);
        }
        catch (Exception failure) when (failure is IOException or OperationCanceledException)
        {
            // The process closed its stdin or exited, or the call ended: nothing more to deliver.
        }
        catch (RpcException broken)
        {
            // A request we cannot take (too large, malformed): the call ends with its status, and the
            // process with it, as if the connection had dropped.
            _brokenRequest = broken;
            await HangUpAsync(session, broken.Status.Detail);
        }
    }

    private async Task CloseInputAsync(ProcessSession session, CancellationToken cancellationToken)
    {
        if (OnTerminal)
        {
            // A terminal cannot be half-closed: the EOF character makes the line discipline end input (VEOF, ^D).
            await session.Input.WriteAsync(EndOfFileCharacter, cancellationToken);
        }
        else
        {
            session.CloseInput();
        }
    }

    private void Signal(ProcessSession session, string name)
    {
        if (SignalNames.ToNumber(name) is { } number)
        {
            session.Child.SignalGroup(number);
            logger.LogInformation("{Kind} {StreamId}: SIG{Signal} to process group {Pid}", plan.Kind, start.StreamId, name, session.Child.Pid);
        }
        else
        {
            logger.LogWarning("{Kind} {StreamId}: unknown signal {Signal} ignored", plan.Kind, start.StreamId, name);
        }
    }

    private async Task PumpOutputAsync(Stream source, bool stderr, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                // Wrapped, not copied: the message is serialised before WriteAsync returns and the buffer is reused.
                await SendAsync(Output(buffer.AsMemory(0, read), stderr), cancellationToken);
            }
        }
        catch (IOException)
        {
            // The terminal was hung up after its shell exited.
        }
        catch (ObjectDisposedException)
        {
            // Likewise, closed under the read.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes one message: stdout and stderr are pumped side by side, a stream takes one write at a time.</summary>
    private async Task SendAsync(ProcessResponse response, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await responses.WriteAsync(response, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>The caller is gone or broke the call: the process group gets SIGHUP, as when an SSH connection drops, then SIGKILL if it lingers.</summary>
    private Task HangUpAsync(ProcessSession session, string reason)
    {
        logger.LogInformation("{Kind} {StreamId}: {Reason}; hanging up pid {Pid}", plan.Kind, start.StreamId, reason, session.Child.Pid);
        return session.Child.StopAsync(SignalNames.Hangup, HangupGrace);
    }

    /// <summary>Output as a message; stderr exists only without a terminal (there, everything is stdout).</summary>
    private static ProcessResponse Output(ReadOnlyMemory<byte> data, bool stderr) =>
        stderr
            ? new ProcessResponse { Stderr = UnsafeByteOperations.UnsafeWrap(data) }
            : new ProcessResponse { Stdout = UnsafeByteOperations.UnsafeWrap(data) };

    private static ProcessExit ToExit(ProcessExitStatus exit) => exit.Signal is { } signal
        ? new ProcessExit { ExitSignal = new ExitSignal { Name = SignalNames.ToName(signal), CoreDumped = exit.CoreDumped } }
        : new ProcessExit { ExitStatus = (uint)(exit.ExitCode ?? 0) };
}
