using K8shell.Ssh.Connection;
using K8shell.WorkspaceDaemon.Processes;

namespace K8shell.Testing.SshHost;

/// <summary>
/// A session channel in the test host (RFC 4254 §6): pty-req, env and auth-agent-req set the
/// stage; shell, exec or the sftp subsystem start a real process through k8shelld's spawner; while
/// it runs, window-change resizes its terminal and signal reaches its process group. The end is
/// reported exactly: exit-status or exit-signal, then EOF and CLOSE.
/// </summary>
public sealed class TestSession(SshChannel channel, Func<string> listenForAgent)
{
    public const string SftpServer = "/usr/lib/openssh/sftp-server";

    private readonly Dictionary<string, string> _environment = new()
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = Path.GetTempPath(),
        ["SHELL"] = "/bin/sh",
        ["USER"] = Environment.UserName,
    };
    private PtyRequest? _pty;
    private ProcessSession? _process;

    public async Task ServeAsync(CancellationToken cancellationToken)
    {
        Task? running = null;
        await foreach (var request in channel.Requests.ReadAllAsync(cancellationToken))
        {
            ProcessLaunch? launch = null;
            var accepted = running is null ? Prepare(request, out launch) : Steer(request);
            await request.ReplyAsync(accepted, cancellationToken);
            if (launch is not null)
            {
                running = RunAsync(launch, cancellationToken);
            }
        }
        if (running is not null)
        {
            await running;
        }
    }

    /// <summary>Requests before the program starts; the one that starts it yields what to launch.</summary>
    private bool Prepare(ChannelRequest request, out ProcessLaunch? launch)
    {
        launch = null;
        switch (request.Type)
        {
            case "pty-req":
                _pty = PtyRequest.Parse(request.Payload);
                _environment["TERM"] = _pty.Term;
                return true;
            case "env":
                var variable = EnvRequest.Parse(request.Payload);
                _environment[variable.Name] = variable.Value;
                return true;
            case "auth-agent-req@openssh.com":
                _environment["SSH_AUTH_SOCK"] = listenForAgent();
                return true;
            case "shell":
                launch = Launch("/bin/sh", []);
                return true;
            case "exec":
                launch = Launch("/bin/sh", ["-c", StringRequest.Parse(request.Payload, "exec")]);
                return true;
            case "subsystem" when StringRequest.Parse(request.Payload, "subsystem") == "sftp":
                launch = Launch(SftpServer, []);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Requests while the program runs.</summary>
    private bool Steer(ChannelRequest request)
    {
        switch (request.Type)
        {
            case "window-change" when _process?.TerminalName is not null:
                var size = WindowChangeRequest.Parse(request.Payload);
                _process.Resize(new TerminalSize((ushort)size.Columns, (ushort)size.Rows, (ushort)size.WidthPixels, (ushort)size.HeightPixels));
                return true;
            case "signal" when SignalNames.ToNumber(StringRequest.Parse(request.Payload, "signal")) is { } signal:
                return _process!.Child.SignalGroup(signal);
            default:
                return false;
        }
    }

    private ProcessLaunch Launch(string program, string[] arguments) => new(program, arguments, _environment, Path.GetTempPath())
    {
        Terminal = _pty is null ? null : new TerminalSize((ushort)_pty.Columns, (ushort)_pty.Rows, (ushort)_pty.WidthPixels, (ushort)_pty.HeightPixels),
        TerminalModes = _pty?.DecodeTerminalModes() ?? new Dictionary<byte, uint>(),
    };

    private async Task RunAsync(ProcessLaunch launch, CancellationToken cancellationToken)
    {
        await using var process = _process = ProcessSession.Start(launch);
        var input = PumpInputAsync(process, cancellationToken);
        var stdout = PumpAsync(process.Output, channel.WriteAsync, cancellationToken);
        var stderr = process.Error is null ? Task.CompletedTask : PumpAsync(process.Error, channel.WriteStderrAsync, cancellationToken);
        await Task.WhenAll(stdout, stderr);
        var status = await process.Child.Exited.WaitAsync(cancellationToken);

        // RFC 4254 §6.10 and SPEC.md §2: exit-status or exit-signal, then EOF, then CLOSE.
        if (status.Signal is { } signal)
        {
            await channel.SendExitSignalAsync(SignalNames.ToName(signal), status.CoreDumped, "", cancellationToken);
        }
        else
        {
            await channel.SendExitStatusAsync((uint)status.ExitCode!.Value, cancellationToken);
        }
        await channel.SendEofAsync(cancellationToken);
        await channel.CloseAsync(cancellationToken);
        await channel.Closed.WaitAsync(cancellationToken);
        try
        {
            await input;
        }
        catch (IOException)
        {
            // The program exited before reading all its input.
        }
    }

    private async Task PumpInputAsync(ProcessSession process, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await channel.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await process.Input.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        process.CloseInput();
    }

    private static async Task PumpAsync(Stream source, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await write(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
