using System.Text;
using K8shell.WorkspaceDaemon.Processes;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Real processes on real pseudo-terminals and socket pairs, through the daemon's spawner.</summary>
public sealed class ProcessSessionTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = Path.GetTempPath(),
        ["K8SHELL_PROBE"] = "exactly this",
    };

    private static ProcessLaunch Shell(string script) => new("/bin/sh", ["-c", script], Environment, Path.GetTempPath());

    [Fact]
    public async Task Without_a_terminal_stdout_and_stderr_stay_apart_and_the_exit_code_is_exact()
    {
        await using var session = ProcessSession.Start(Shell("echo out; echo err >&2; echo $K8SHELL_PROBE; exit 42"));

        var (stdout, stderr) = await ReadBothAsync(session);
        var status = await session.Child.Exited.WaitAsync(Cancellation);

        Assert.Equal("out\nexactly this\n", stdout);
        Assert.Equal("err\n", stderr);
        Assert.Equal(new ProcessExitStatus(42, null, false), status);
    }

    [Fact]
    public async Task Stdin_eof_reaches_the_process()
    {
        await using var session = ProcessSession.Start(Shell("tr a-z A-Z; echo done"));

        await session.Input.WriteAsync("shout\n"u8.ToArray(), Cancellation);
        session.CloseInput();
        var (stdout, _) = await ReadBothAsync(session);

        Assert.Equal("SHOUT\ndone\n", stdout);
        Assert.Equal(0, (await session.Child.Exited.WaitAsync(Cancellation)).ExitCode);
    }

    [Fact]
    public async Task A_signal_death_is_reported_as_the_signal_with_its_core_flag()
    {
        await using var session = ProcessSession.Start(Shell("ulimit -c 0; kill -SEGV $$"));

        var status = await session.Child.Exited.WaitAsync(Cancellation);

        Assert.Equal(new ProcessExitStatus(null, 11, false), status);
        Assert.Equal("SEGV", SignalNames.ToName(status.Signal!.Value));
    }

    [Fact]
    public async Task Signals_reach_the_whole_process_group()
    {
        // The shell's child (sleep) is in the group too: both end, so the output closes.
        await using var session = ProcessSession.Start(Shell("sleep 60 & wait"));
        await Task.Delay(200, Cancellation);

        Assert.True(session.Child.SignalGroup(SignalNames.ToNumber("TERM")!.Value));
        var status = await session.Child.Exited.WaitAsync(Cancellation);
        var (stdout, _) = await ReadBothAsync(session);

        Assert.Equal(15, status.Signal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task On_a_terminal_the_process_has_it_as_controlling_terminal_with_size_and_modes()
    {
        // ECHO (opcode 53) off, VINTR (opcode 1) = Ctrl+B.
        var launch = Shell("tty; stty size; stty -a; ps -o tty= -p $$") with
        {
            Terminal = new TerminalSize(132, 43),
            TerminalModes = new Dictionary<byte, uint> { [53] = 0, [1] = 2 },
        };
        await using var session = ProcessSession.Start(launch);

        var output = await ReadAllAsync(session.Output);
        var lines = output.Split("\r\n");

        Assert.Equal(session.TerminalName, lines[0]);
        Assert.StartsWith("/dev/pts/", lines[0]);
        Assert.Equal("43 132", lines[1]);
        Assert.Contains(" -echo ", output);
        Assert.Contains("intr = ^B;", output);
        // ps names the controlling terminal: pts/N, not "?".
        Assert.Equal(lines[0]["/dev/".Length..], lines[^2].Trim());
        Assert.Equal(0, (await session.Child.Exited.WaitAsync(Cancellation)).ExitCode);
    }

    [Fact]
    public async Task Resizing_the_terminal_sends_sigwinch_and_the_new_size_shows()
    {
        var launch = Shell("trap 'stty size' WINCH; echo ready; while :; do sleep 0.05; done") with { Terminal = new TerminalSize(80, 24) };
        await using var session = ProcessSession.Start(launch);
        var reader = new StreamReader(session.Output);
        Assert.Equal("ready", await reader.ReadLineAsync(Cancellation));

        session.Resize(new TerminalSize(100, 30));

        Assert.Equal("30 100", await reader.ReadLineAsync(Cancellation));
        session.Child.SignalGroup(9);
        Assert.Equal(9, (await session.Child.Exited.WaitAsync(Cancellation)).Signal);
    }

    [Fact]
    public async Task Ctrl_c_typed_on_the_terminal_interrupts_the_foreground_program()
    {
        var launch = Shell("echo ready; sleep 60") with { Terminal = new TerminalSize(80, 24) };
        await using var session = ProcessSession.Start(launch);
        var reader = new StreamReader(session.Output);
        Assert.Equal("ready", await reader.ReadLineAsync(Cancellation));

        await session.Input.WriteAsync(new byte[] { 3 }, Cancellation);

        Assert.Equal(2, (await session.Child.Exited.WaitAsync(Cancellation)).Signal);
    }

    [Fact]
    public async Task A_reader_that_stops_reading_stops_the_writer_instead_of_filling_memory()
    {
        await using var session = ProcessSession.Start(Shell("head -c 64M /dev/zero; echo finished >&2"));

        // Nobody reads stdout: the process must block on a full socket buffer, not finish.
        await Task.Delay(1000, Cancellation);
        Assert.False(session.Child.Exited.IsCompleted, "64 MiB went somewhere while nobody read them");

        var (stdout, stderr) = await ReadBothAsync(session, countOnly: true);
        Assert.Equal((64 * 1024 * 1024).ToString(), stdout);
        Assert.Equal("finished\n", stderr);
    }

    [Fact]
    public void A_missing_program_fails_with_its_name_and_the_reason()
    {
        var error = Assert.Throws<IOException>(() => ProcessSession.Start(new ProcessLaunch("/no/such/program", [], Environment, "/")));
        Assert.Equal("cannot start /no/such/program: No such file or directory", error.Message);
    }

    private static async Task<(string Stdout, string Stderr)> ReadBothAsync(ProcessSession session, bool countOnly = false)
    {
        var stderr = ReadAllAsync(session.Error!);
        if (countOnly)
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await session.Output.ReadAsync(buffer, Cancellation)) > 0)
            {
                total += read;
            }
            return (total.ToString(), await stderr);
        }
        return (await ReadAllAsync(session.Output), await stderr);
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Cancellation);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
