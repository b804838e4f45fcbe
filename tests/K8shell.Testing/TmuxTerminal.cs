using System.Diagnostics;

namespace K8shell.Testing;

/// <summary>
/// OpenSSH in a real terminal: ssh runs in a detached tmux pane (its own tmux server), so the test
/// can type keys, read the screen, resize the window, and read ssh's exit status when it ends.
/// </summary>
public sealed class TmuxTerminal : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-tmux-").FullName;

    private string Socket => Path.Combine(_directory, "tmux.sock");

    private string StatusFile => Path.Combine(_directory, "ssh.status");

    private string LogFile => Path.Combine(_directory, "ssh.log");

    /// <summary>Starts <c>ssh -tt</c> (a PTY shell, no command) in an 80×24 pane; <paramref name="sshArguments"/> end with the destination.</summary>
    public static async Task<TmuxTerminal> StartAsync(IEnumerable<string> sshArguments, CancellationToken cancellationToken)
    {
        var terminal = new TmuxTerminal();
        var configuration = Path.Combine(terminal._directory, "tmux.conf");
        // A fixed TERM for ssh to send in pty-req; the pane stays after ssh has gone, to show what it printed.
        await File.WriteAllTextAsync(configuration, "set -g remain-on-exit on\nset -g default-terminal xterm-256color\n", cancellationToken);
        // ssh's exit status goes to a file ($0) written by the shell that waited for it: tmux's own
        // pane_dead_status proved unreliable under load (the pane stayed "alive" after ssh had finished).
        // Its debug log goes to a file too (-E): the screen is the session's alone, and the terminal
        // carries less (CI once saw ssh stall mid-login with the screen full of its debug lines).
        await terminal.TmuxAsync(cancellationToken, ["-f", configuration, "new-session", "-d", "-x", "80", "-y", "24", "--",
            "sh", "-c", "ssh \"$@\"; echo $? > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"", terminal.StatusFile, "-tt", "-E", terminal.LogFile, .. sshArguments]);
        return terminal;
    }

    /// <summary>
    /// What every interactive shell must do, checked on the screen: a terminal device of 80×24 with TERM from
    /// pty-req (and <paramref name="probe"/>, an environment variable expected to hold <paramref name="probeValue"/>),
    /// a resize the shell sees, Ctrl+C interrupting the foreground job only, and <c>exit 7</c> ending ssh with 7.
    /// </summary>
    public async Task ProveInteractiveShellAsync(string probe, string probeValue, CancellationToken cancellationToken)
    {
        await TypeCommandAsync($"echo \"[$(tty | cut -c1-9)] [$(stty size)] [$TERM] [${probe}]\"", cancellationToken);
        await WaitForLineAsync($"[/dev/pts/] [24 80] [xterm-256color] [{probeValue}]", cancellationToken);

        // window-change: ssh forwards the new size on SIGWINCH; the shell sees it.
        await ResizeAsync(100, 30, cancellationToken);
        await Task.Delay(300, cancellationToken);
        await TypeCommandAsync("echo \"[$(stty size)]\"", cancellationToken);
        await WaitForLineAsync("[30 100]", cancellationToken);

        // Ctrl+C travels as a byte; the terminal turns it into SIGINT for the foreground job only.
        await TypeCommandAsync("sleep 50; echo slept", cancellationToken);
        await Task.Delay(300, cancellationToken);
        await PressAsync("C-c", cancellationToken);
        await TypeCommandAsync("echo interrupted", cancellationToken);
        await WaitForLineAsync("interrupted", cancellationToken);
        if ((await ScreenAsync(cancellationToken)).Split('\n').Any(line => line.TrimEnd() == "slept"))
        {
            throw new InvalidOperationException($"Ctrl+C did not interrupt the sleep:\n{await ScreenAsync(cancellationToken)}");
        }

        await TypeCommandAsync("exit 7", cancellationToken);
        var status = await ExitStatusAsync(cancellationToken);
        if (status != 7)
        {
            throw new InvalidOperationException($"ssh exited {status} after exit 7:\n{await ScreenAsync(cancellationToken)}");
        }
    }

    /// <summary>Types <paramref name="text"/> literally, then Enter.</summary>
    private async Task TypeLineAsync(string text, CancellationToken cancellationToken)
    {
        await TmuxAsync(cancellationToken, "send-keys", "-t", "0", "-l", text);
        await PressAsync("Enter", cancellationToken);
    }

    /// <summary>Types <paramref name="command"/> and Enter once the shell shows its prompt (<see cref="WaitForPromptAsync"/> says why).</summary>
    public async Task TypeCommandAsync(string command, CancellationToken cancellationToken)
    {
        await WaitForPromptAsync(cancellationToken);
        await TypeLineAsync(command, cancellationToken);
    }

    /// <summary>Presses a key by tmux's name for it ("C-c").</summary>
    public Task PressAsync(string key, CancellationToken cancellationToken) => TmuxAsync(cancellationToken, "send-keys", "-t", "0", key);

    public Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken) =>
        TmuxAsync(cancellationToken, "resize-window", "-t", "0", "-x", columns.ToString(), "-y", rows.ToString());

    /// <summary>
    /// The screen's text with the lines scrolled above it, wrapped lines joined. With the history: once ssh has ended,
    /// tmux's "Pane is dead" line can scroll the top line of a full-looking screen out of view.
    /// </summary>
    public Task<string> ScreenAsync(CancellationToken cancellationToken) => TmuxAsync(cancellationToken, "capture-pane", "-p", "-J", "-S", "-", "-t", "0");

    /// <summary>Waits (up to 20 s) until a line of the screen equals <paramref name="line"/>; the failure shows the screen.</summary>
    public Task WaitForLineAsync(string line, CancellationToken cancellationToken) =>
        WaitForScreenAsync(screen => screen.Split('\n').Any(shown => shown.TrimEnd() == line), $"no line \"{line}\"", cancellationToken);

    /// <summary>Waits (up to 20 s) until the screen shows <paramref name="text"/> anywhere; the failure shows the screen.</summary>
    public Task WaitForTextAsync(string text, CancellationToken cancellationToken) =>
        WaitForScreenAsync(screen => screen.Contains(text, StringComparison.Ordinal), $"no \"{text}\"", cancellationToken);

    /// <summary>
    /// Until the shell shows its prompt (the last line ends in $ or #). Typing before that races the
    /// shell's start: the terminal echoes the typeahead, and the shell's prompt may land in front of
    /// the command's output (seen under load).
    /// </summary>
    public Task WaitForPromptAsync(CancellationToken cancellationToken) =>
        WaitForScreenAsync(screen => screen.TrimEnd() is { Length: > 0 } shown && shown[^1] is '$' or '#', "no prompt", cancellationToken);

    private async Task WaitForScreenAsync(Func<string, bool> shows, string missing, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string screen;
        while (!shows(screen = await ScreenAsync(cancellationToken)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{missing} on the screen:\n{screen}\n{await DiagnosisAsync(cancellationToken)}");
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>ssh's exit status once it has ended (within 20 s; the failure shows the pane's processes and screen).</summary>
    public async Task<int> ExitStatusAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(StatusFile))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"ssh is still running:\n{await ScreenAsync(cancellationToken)}\n{await DiagnosisAsync(cancellationToken)}");
            }
            await Task.Delay(50, cancellationToken);
        }
        return int.Parse(await File.ReadAllTextAsync(StatusFile, cancellationToken));
    }

    /// <summary>
    /// For a failure message: the pane's processes with their state and wait channel (is ssh blocked
    /// writing to the terminal, or waiting for the network?) and ssh's debug log.
    /// </summary>
    private async Task<string> DiagnosisAsync(CancellationToken cancellationToken) =>
        $"pane processes:\n{await PaneProcessesAsync(cancellationToken)}\nssh log:\n{(File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile, cancellationToken) : "(none)")}";

    private async Task<string> PaneProcessesAsync(CancellationToken cancellationToken)
    {
        var pid = (await TmuxAsync(cancellationToken, "display-message", "-p", "-t", "0", "#{pane_pid}")).Trim();
        using var ps = Process.Start(new ProcessStartInfo("ps", ["-o", "pid,stat,wchan:32,args", "-s", pid]) { RedirectStandardOutput = true })!;
        var listing = await ps.StandardOutput.ReadToEndAsync(cancellationToken);
        await ps.WaitForExitAsync(cancellationToken);
        return listing;
    }

    private async Task<string> TmuxAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true };
        startInfo.Environment["TERM"] = "xterm-256color";
        startInfo.ArgumentList.Add("-S");
        startInfo.ArgumentList.Add(Socket);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var tmux = Process.Start(startInfo)!;
        var output = tmux.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = tmux.StandardError.ReadToEndAsync(cancellationToken);
        await tmux.WaitForExitAsync(cancellationToken);
        if (tmux.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: {await errors}");
        }
        return await output;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync(CancellationToken.None, "kill-server");
        }
        catch (InvalidOperationException)
        {
            // The server had already gone.
        }
        Directory.Delete(_directory, recursive: true);
    }
}
