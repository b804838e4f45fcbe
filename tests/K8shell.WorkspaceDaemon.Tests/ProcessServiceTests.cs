using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Shell, exec and their streams through the real daemon over gRPC, as the proxy drives them.</summary>
public sealed class ProcessServiceTests(DaemonFixture daemon)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<ProcessRun> ExecAsync(string command, Action<ProcessStart>? adjust = null)
    {
        var start = new ProcessStart { Command = command };
        adjust?.Invoke(start);
        return ProcessRun.ExecAsync(daemon.Processes(), start);
    }

    [Fact]
    public async Task Exec_keeps_stdout_and_stderr_apart_and_reports_the_exit_code()
    {
        await using var run = await ExecAsync("echo out; echo err >&2; exit 3");

        var exit = await run.WaitForExitAsync(Cancellation);

        Assert.Equal(3u, exit.ExitStatus);
        Assert.Equal("out\n", run.Stdout);
        Assert.Equal("err\n", run.Stderr);
        Assert.Equal("/bin/bash", run.Started?.Program);
        Assert.True(run.Started?.Pid > 0);
        Assert.Equal("", run.Started?.PtyName);
    }

    [Fact]
    public async Task A_process_killed_by_a_signal_reports_the_signals_name()
    {
        await using var run = await ExecAsync("kill -SEGV $$");

        var exit = await run.WaitForExitAsync(Cancellation);

        Assert.Equal(ProcessExit.StatusOneofCase.ExitSignal, exit.StatusCase);
        Assert.Equal("SEGV", exit.ExitSignal.Name);
    }

    [Fact]
    public async Task A_signal_request_reaches_the_process_group()
    {
        await using var run = await ExecAsync("echo ready; sleep 30");
        await run.WaitForOutputAsync("ready", Cancellation);

        await run.SendAsync(new ProcessRequest { Signal = "TERM" });

        Assert.Equal("TERM", (await run.WaitForExitAsync(Cancellation)).ExitSignal?.Name);
    }

    [Fact]
    public async Task Stdin_and_its_eof_reach_the_process()
    {
        await using var run = await ExecAsync("cat; echo after-eof");

        await run.WriteAsync("hello ");
        await run.WriteAsync("world\n");
        await run.EofAsync();

        Assert.Equal(0u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
        Assert.Equal("hello world\nafter-eof\n", run.Stdout);
    }

    [Fact]
    public async Task The_environment_merges_blueprint_and_client_but_login_variables_are_fixed()
    {
        await using var run = await ExecAsync("echo \"$USER|$LOGNAME|$HOME|$SHELL|$K8SHELL_BLUEPRINT_VAR|$FROM_CLIENT|$PWD\"", start =>
        {
            start.Env.Add("FROM_CLIENT", "client-value");
            start.Env.Add("USER", "mallory");
            start.Env.Add("HOME", "/tmp/elsewhere");
        });

        await run.WaitForExitAsync(Cancellation);

        var user = Environment.UserName;
        Assert.Equal($"{user}|{user}|{daemon.Home}|/bin/bash|from-the-blueprint|client-value|{daemon.Home}\n", run.Stdout);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_exits_127_with_the_shells_message()
    {
        await using var run = await ExecAsync("no-such-command-k8shell");

        Assert.Equal(127u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
        Assert.Contains("no-such-command-k8shell: command not found", run.Stderr);
    }

    [Fact]
    public async Task A_pty_shell_shows_the_splash_has_its_terminal_resizes_and_takes_ctrl_c()
    {
        await using var run = await ProcessRun.ShellAsync(daemon.Processes(), new ProcessStart
        {
            StreamId = "sh-proxy-1-aa1",
            ShowSplash = true,
            Pty = new PtyRequest { Term = "xterm-256color", Columns = 80, Rows = 24, TerminalModes = ByteString.CopyFrom(0) },
        });
        await run.WaitForOutputAsync("Welcome to ws-test", Cancellation);
        Assert.StartsWith("/dev/pts/", run.Started?.PtyName);

        await run.WriteAsync("shopt -q login_shell && echo \"log\"\"in-shell\"\n");
        await run.WaitForOutputAsync("login-shell", Cancellation);

        await run.WriteAsync("echo \"[$(tty)] [$(stty size)] [$TERM] [$SSH_TTY]\"\n");
        await run.WaitForOutputAsync($"[{run.Started?.PtyName}] [24 80] [xterm-256color] [{run.Started?.PtyName}]", Cancellation);

        await run.SendAsync(new ProcessRequest { Resize = new WindowSize { Columns = 100, Rows = 30 } });
        await run.WriteAsync("echo \"[$(stty size)]\"\n");
        await run.WaitForOutputAsync("[30 100]", Cancellation);

        // Quotes split the words so the terminal's echo of the typed line cannot match what is awaited.
        await run.WriteAsync("sleep 30; echo \"sl\"\"ept\"\n");
        await Task.Delay(300, Cancellation);
        await run.WriteAsync("\u0003");
        await run.WriteAsync("echo \"inter\"\"rupted\"\n");
        await run.WaitForOutputAsync("interrupted", Cancellation);
        Assert.DoesNotContain("slept", run.Stdout);

        await run.WriteAsync("exit 5\n");
        Assert.Equal(5u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
    }

    [Fact]
    public async Task A_pty_shell_that_exits_ends_the_session_though_a_background_job_holds_the_terminal()
    {
        await using var run = await ProcessRun.ShellAsync(daemon.Processes(),
            new ProcessStart { Pty = new PtyRequest { Term = "dumb", Columns = 80, Rows = 24 } });

        await run.WriteAsync("sleep 30 & exit 3\n");

        Assert.Equal(3u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
    }

    [Fact]
    public async Task Terminal_modes_from_pty_req_reach_the_terminal()
    {
        // RFC 4254 §8 encoding: VINTR (1) = ^X, ECHO (53) = off, TTY_OP_END.
        byte[] modes = [1, 0, 0, 0, 24, 53, 0, 0, 0, 0, 0];
        await using var run = await ExecAsync("stty -a", start => start.Pty = new PtyRequest { Term = "dumb", Columns = 80, Rows = 24, TerminalModes = ByteString.CopyFrom(modes) });

        Assert.Equal(0u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
        Assert.Contains("intr = ^X;", run.Stdout);
        Assert.Contains(" -echo ", run.Stdout);
    }

    [Fact]
    public async Task A_core_dump_is_reported_as_the_kernel_reports_it()
    {
        // Whether a core is written depends on the machine (core_pattern); bash says so for its children, the daemon must agree.
        var directory = Directory.CreateTempSubdirectory("k8shelld-core-").FullName;
        try
        {
            const string crash = "ulimit -c unlimited; kill -SEGV $$";
            var control = await Programs.RunToSuccessAsync("bash", ["-c", $"exec 2>&1; cd {directory}; bash -c '{crash}'; true"], cancellationToken: Cancellation);
            await using var run = await ExecAsync($"cd {directory}; {crash}");

            var exit = (await run.WaitForExitAsync(Cancellation)).ExitSignal;

            Assert.Equal("SEGV", exit.Name);
            Assert.Equal(control.Contains("(core dumped)"), exit.CoreDumped);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_hundred_mebibytes_go_through_cat_intact()
    {
        const int size = 100 * 1024 * 1024;
        using var call = daemon.Processes().Exec(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new ProcessRequest { Start = new ProcessStart { SessionId = "proxy-1-aa", StreamId = "ex-proxy-1-aa9", Command = "cat" } }, Cancellation);

        var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sending = Task.Run(async () =>
        {
            var chunk = new byte[32 * 1024];
            for (var offset = 0; offset < size; offset += chunk.Length)
            {
                Random.Shared.NextBytes(chunk);
                sent.AppendData(chunk);
                await call.RequestStream.WriteAsync(new ProcessRequest { Stdin = ByteString.CopyFrom(chunk) }, Cancellation);
            }
            await call.RequestStream.WriteAsync(new ProcessRequest { StdinEof = new StdinEof() }, Cancellation);
        }, Cancellation);

        var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long count = 0;
        ProcessExit? exit = null;
        await foreach (var response in call.ResponseStream.ReadAllAsync(Cancellation))
        {
            if (response.MessageCase == ProcessResponse.MessageOneofCase.Stdout)
            {
                received.AppendData(response.Stdout.Span);
                count += response.Stdout.Length;
            }
            exit = response.Exit ?? exit;
        }
        await sending;

        Assert.Equal(0u, exit?.ExitStatus);
        Assert.Equal(size, count);
        Assert.Equal(sent.GetHashAndReset(), received.GetHashAndReset());
    }

    [Fact]
    public async Task A_caller_that_stops_reading_stops_the_process_not_the_daemons_memory()
    {
        using var call = daemon.Processes().Exec(cancellationToken: Cancellation);
        await call.RequestStream.WriteAsync(new ProcessRequest { Start = new ProcessStart { SessionId = "proxy-1-aa", StreamId = "ex-proxy-1-aa7", Command = "exec cat /dev/zero" } }, Cancellation);
        Assert.True(await call.ResponseStream.MoveNext(Cancellation));
        var pid = call.ResponseStream.Current.Started.Pid;

        // Nobody reads: HTTP/2's window fills, the daemon stops reading the pipe, cat blocks in write.
        await Task.Delay(1000, Cancellation);
        var written = BytesWritten(pid);
        await Task.Delay(1000, Cancellation);

        Assert.Equal(written, BytesWritten(pid));
        Assert.InRange(written, 0, 16 * 1024 * 1024);
    }

    [Fact]
    public async Task A_login_shell_that_does_not_exist_exits_127_with_a_message()
    {
        await using var broken = await daemon.StartDaemonAsync(settings: new() { ["Workspace__Shell"] = "/nonexistent/shell" });
        using var channel = daemon.ChannelTo(broken);
        await using var run = await ProcessRun.ExecAsync(new ProcessService.ProcessServiceClient(channel),
            new ProcessStart { Command = "true" });

        Assert.Equal(127u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
        Assert.Equal("k8shelld: cannot start /nonexistent/shell: No such file or directory\n", run.Stderr);
    }

    /// <summary>What the process has written so far (/proc/PID/io wchar).</summary>
    private static long BytesWritten(uint pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/io").First(line => line.StartsWith("wchar:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    [Fact]
    public async Task A_start_that_is_not_first_or_does_not_fit_the_call_is_invalid()
    {
        await using var noStart = await ProcessRun.ExecAsync(daemon.Processes(), new ProcessStart());
        Assert.Equal(StatusCode.InvalidArgument, (await noStart.FailureAsync(Cancellation)).StatusCode);

        await using var shellWithCommand = await ProcessRun.ShellAsync(daemon.Processes(),
            new ProcessStart { Command = "true" });
        Assert.Equal(StatusCode.InvalidArgument, (await shellWithCommand.FailureAsync(Cancellation)).StatusCode);

        using var stdinFirst = daemon.Processes().Exec(cancellationToken: Cancellation);
        await stdinFirst.RequestStream.WriteAsync(new ProcessRequest { Stdin = ByteString.CopyFromUtf8("hi") }, Cancellation);
        var failure = await Assert.ThrowsAsync<RpcException>(() => stdinFirst.ResponseStream.MoveNext(Cancellation));
        Assert.Equal(StatusCode.InvalidArgument, failure.StatusCode);
        Assert.Contains("first message must be start", failure.Status.Detail);
    }

    [Fact]
    public async Task An_oversized_message_is_refused()
    {
        await using var run = await ExecAsync("cat > /dev/null");

        // Not awaited first: the daemon refuses the message by its prefix and reads no more of it, so the write
        // may wait for HTTP/2 flow-control credit that never comes, until the call is dropped (as the proxy drops
        // a call once its outcome is known).
        var writing = run.WriteAsync(new byte[2 * 1024 * 1024]);

        Assert.Equal(StatusCode.ResourceExhausted, (await run.FailureAsync(Cancellation)).StatusCode);
        run.Abandon();
        try
        {
            await writing;
        }
        catch (Exception ended) when (ended is RpcException or OperationCanceledException)
        {
            // The refusal or the dropped call ended the write; the call's status said why.
        }
    }

    [Fact]
    public async Task A_caller_that_vanishes_hangs_up_the_process()
    {
        var marker = Path.Combine(daemon.Home, $"hup-{Guid.NewGuid():N}");
        var run = await ExecAsync($"trap 'echo hangup > {marker}; exit 1' HUP; echo ready; sleep 60 & wait");
        await run.WaitForOutputAsync("ready", Cancellation);

        run.Abandon();

        // The shell creates the file before it writes the line: wait for the line, not for the file.
        Assert.True(await Eventually.WaitAsync(() => File.Exists(marker) && File.ReadAllText(marker) == "hangup\n", TimeSpan.FromSeconds(20), Cancellation),
            $"the process's HUP trap never wrote its line; the marker holds: {(File.Exists(marker) ? File.ReadAllText(marker) : "(no file)")}");
        await run.DisposeAsync();
    }
}
