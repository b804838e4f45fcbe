using System.Net.Sockets;
using K8shell.WorkspaceDaemon.Processes.Native;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>The size of a terminal in characters and pixels.</summary>
public sealed record TerminalSize(ushort Columns, ushort Rows, ushort WidthPixels = 0, ushort HeightPixels = 0);

/// <summary>What to run: the program, its arguments and environment (complete: nothing is inherited), where, and on what.</summary>
public sealed record ProcessLaunch(string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string WorkingDirectory)
{
    /// <summary>Run on a new pseudo-terminal of this size; null: three sockets, stdout and stderr apart.</summary>
    public TerminalSize? Terminal { get; init; }

    /// <summary>SSH terminal modes (RFC 4254 §8 opcode → value) for the terminal.</summary>
    public IReadOnlyDictionary<byte, uint> TerminalModes { get; init; } = new Dictionary<byte, uint>();

    /// <summary>Who gets the terminal device (uid, gid) when the program runs as another user than the daemon, as sshd gives it.</summary>
    public (uint Uid, uint Gid)? TerminalOwner { get; init; }
}

/// <summary>
/// A running session process and its byte streams: on a pseudo-terminal (one stream both ways, as
/// sshd does for pty-req) or on three socket pairs (stdin, stdout, stderr kept apart, stdin EOF possible).
/// Streams apply back-pressure: a reader that stops reading blocks the process's writes, nothing queues here.
/// </summary>
public sealed class ProcessSession : IAsyncDisposable
{
    private readonly PseudoTerminal? _terminal;

    private ProcessSession(ChildProcess child, Stream input, Stream output, Stream? error, PseudoTerminal? terminal)
    {
        Child = child;
        Input = input;
        Output = output;
        Error = error;
        _terminal = terminal;
    }

    public ChildProcess Child { get; }

    /// <summary>The process's stdin (its keyboard, on a terminal).</summary>
    public Stream Input { get; }

    /// <summary>The process's stdout (and stderr, on a terminal). Reads 0 at the end.</summary>
    public Stream Output { get; }

    /// <summary>The process's stderr; null on a terminal, where it shares <see cref="Output"/>.</summary>
    public Stream? Error { get; }

    /// <summary>The terminal's device (/dev/pts/N), or null.</summary>
    public string? TerminalName => _terminal?.SlavePath;

    public static ProcessSession Start(ProcessLaunch launch) =>
        launch.Terminal is { } size ? StartOnTerminal(launch, size) : StartOnSockets(launch);

    private static ProcessSession StartOnTerminal(ProcessLaunch launch, TerminalSize size)
    {
        var terminal = PseudoTerminal.Open(size, launch.TerminalModes);
        try
        {
            if (launch.TerminalOwner is { } owner)
            {
                terminal.GiveTo(owner.Uid, owner.Gid);
            }
            // As under sshd, the program finds its terminal's name in SSH_TTY (scripts read it rather than ask tty(1)).
            var environment = new Dictionary<string, string>(launch.Environment) { ["SSH_TTY"] = terminal.SlavePath };
            var child = ChildProcess.Start(launch.Program, launch.Arguments, environment, launch.WorkingDirectory, terminal.SlavePath, stdio: null);
            var master = terminal.OpenMasterStream();
            return new ProcessSession(child, master, master, error: null, terminal);
        }
        catch
        {
            terminal.Dispose();
            throw;
        }
    }

    private static ProcessSession StartOnSockets(ProcessLaunch launch)
    {
        var pairs = new[] { SocketPair.Create(), SocketPair.Create(), SocketPair.Create() };
        try
        {
            var child = ChildProcess.Start(launch.Program, launch.Arguments, launch.Environment, launch.WorkingDirectory,
                terminalPath: null, [.. pairs.Select(pair => pair.Theirs)]);
            return new ProcessSession(child,
                new NetworkStream(pairs[0].Ours, ownsSocket: true), new NetworkStream(pairs[1].Ours, ownsSocket: true),
                new NetworkStream(pairs[2].Ours, ownsSocket: true), terminal: null);
        }
        catch
        {
            foreach (var pair in pairs)
            {
                pair.Ours.Dispose();
            }
            throw;
        }
        finally
        {
            // The child has its copies (or never started): ours of its ends must go, or EOF never comes.
            foreach (var pair in pairs)
            {
                LibC.close(pair.Theirs);
            }
        }
    }

    /// <summary>
    /// The client sent EOF: the process reads end-of-file. A terminal has no half-close; like sshd we
    /// leave it open (the user types Ctrl+D, which the terminal turns into EOF itself).
    /// </summary>
    public void CloseInput()
    {
        try
        {
            (Input as NetworkStream)?.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The process is gone already.
        }
    }

    /// <summary>
    /// Closes the terminal (a no-op without one): its output ends at once, and whatever still holds
    /// it (a background job of an exited shell) is hung up, as sshd does when a shell exits.
    /// </summary>
    public void HangUpTerminal()
    {
        if (_terminal is not null)
        {
            Output.Dispose();
        }
    }

    /// <summary>window-change: the terminal's foreground process group gets SIGWINCH.</summary>
    public void Resize(TerminalSize size) => _terminal?.Resize(size);

    public async ValueTask DisposeAsync()
    {
        await Input.DisposeAsync();
        await Output.DisposeAsync();
        if (Error is not null)
        {
            await Error.DisposeAsync();
        }
        _terminal?.Dispose();
    }
}
