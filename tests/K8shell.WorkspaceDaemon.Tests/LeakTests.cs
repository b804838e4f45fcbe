using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Sessions leave nothing behind in the daemon: descriptors, child processes, threads.</summary>
[Collection(nameof(LeakTests))]
public sealed class LeakTests(DaemonFixture daemon)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_hundred_sessions_leave_no_descriptors_or_processes_behind()
    {
        await RunSessionsAsync(10);
        var before = Snapshot();

        await RunSessionsAsync(200);
        await Task.Delay(500, Cancellation);
        var after = Snapshot();

        Assert.True(after.Children.Length == 0, $"children left: {string.Join("; ", after.Children.Select(child => TryRead($"/proc/{child}/cmdline")?.Replace('\0', ' ') + " " + TryRead($"/proc/{child}/stat")))}");
        // A few descriptors come and go with the runtime (timers, epoll); 200 sessions leaking one each would show.
        Assert.InRange(after.Descriptors, 0, before.Descriptors + 5);
        Assert.InRange(after.Threads, 0, before.Threads + 10);
    }

    [Fact]
    public async Task Idle_terminals_hold_no_threads()
    {
        await using var warmUp = await ShellAsync();
        var before = Snapshot();

        var shells = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => ShellAsync()));
        await Task.Delay(1000, Cancellation); // time for a starved thread pool to grow, were reads blocking
        var idle = Snapshot();
        foreach (var shell in shells)
        {
            await shell.WriteAsync("exit\n");
            await shell.WaitForExitAsync(Cancellation);
            await shell.DisposeAsync();
        }

        // One epoll thread serves every terminal; a blocking read per shell would show as 30 more.
        Assert.InRange(idle.Threads, 0, before.Threads + 10);
    }

    /// <summary>A PTY shell that has answered once (so it is up, and now waits for input).</summary>
    private async Task<ProcessRun> ShellAsync()
    {
        var shell = await ProcessRun.ShellAsync(daemon.Processes(),
            new ProcessStart { Pty = new PtyRequest { Term = "dumb", Columns = 80, Rows = 24 } });
        await shell.WriteAsync("echo up-$((6*7))\n");
        await shell.WaitForOutputAsync("up-42", Cancellation);
        return shell;
    }

    /// <summary>Sessions of every kind, four at a time: exec with and without a PTY, and ones the caller abandons.</summary>
    private async Task RunSessionsAsync(int count)
    {
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Cancellation }, async (index, token) =>
        {
            var start = new ProcessStart { Command = "echo $$", Pty = index % 3 == 1 ? new PtyRequest { Term = "xterm", Columns = 80, Rows = 24 } : null };
            await using var run = await ProcessRun.ExecAsync(daemon.Processes(), start);
            if (index % 3 == 2)
            {
                run.Abandon();
                return;
            }
            await run.WaitForExitAsync(token);
        });
    }

    private (int Descriptors, int Threads, int[] Children) Snapshot()
    {
        var pid = daemon.Daemon.Process.Id;
        var children = Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => (Pid: int.Parse(name!), Stat: TryRead($"/proc/{name}/stat")))
            .Where(process => process.Stat is not null && int.Parse(process.Stat[(process.Stat.LastIndexOf(')') + 4)..].Split(' ')[0]) == pid)
            .Select(process => process.Pid)
            .ToArray();
        return (Directory.GetFiles($"/proc/{pid}/fd").Length, Directory.GetDirectories($"/proc/{pid}/task").Length, children);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>Counting the daemon's descriptors and children needs it to itself: no other test's sessions meanwhile.</summary>
[CollectionDefinition(nameof(LeakTests), DisableParallelization = true)]
public sealed class LeakTestsCollection;
