using K8shell.Contracts.Workspace.V1;
using State = K8shell.Contracts.Workspace.V1.InitScriptStatus.Types.State;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>The workspace's health and its init scripts, as SystemInfo and the first shell report them.</summary>
public sealed class SystemServiceTests(DaemonFixture daemon)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task System_info_reports_the_machine_from_proc()
    {
        var info = await daemon.System().SystemInfoAsync(new SystemInfoRequest(), cancellationToken: Cancellation);

        Assert.Equal((uint)Environment.ProcessorCount, info.CpuCount);
        Assert.InRange(info.MemoryAvailableBytes, 1UL, info.MemoryTotalBytes);
        Assert.True(info.UptimeSeconds > 0);
        Assert.InRange((info.Time.ToDateTime() - DateTime.UtcNow).Duration(), TimeSpan.Zero, TimeSpan.FromMinutes(1));
        var root = Assert.Single(info.Mounts, mount => mount.MountPoint == "/");
        Assert.True(root.TotalBytes > 0);
    }

    [Fact]
    public async Task Init_scripts_ran_once_in_order_as_the_user_before_the_daemon_was_ready()
    {
        var info = await daemon.System().SystemInfoAsync(new SystemInfoRequest(), cancellationToken: Cancellation);

        Assert.Equal(["greet", "broken"], info.InitScripts.Select(script => script.Name));
        Assert.Equal(State.Succeeded, info.InitScripts[0].State);
        Assert.Equal(State.Failed, info.InitScripts[1].State);
        Assert.Equal(3, info.InitScripts[1].ExitCode);
        Assert.True(info.InitScripts[0].FinishedAt.ToDateTime() <= info.InitScripts[1].StartedAt.ToDateTime());
        Assert.Equal($"hello from {Environment.UserName}\n", await File.ReadAllTextAsync(Path.Combine(daemon.Home, "greeted"), Cancellation));
        Assert.Equal("going wrong\n", await File.ReadAllTextAsync(Path.Combine(daemon.Home, ".k8shell", "init", "broken.log"), Cancellation));
    }

    [Fact]
    public async Task A_restart_on_the_same_home_skips_what_succeeded_and_retries_what_failed()
    {
        await using var restarted = await daemon.StartDaemonAsync();
        using var channel = daemon.ChannelTo(restarted);

        var info = await new SystemService.SystemServiceClient(channel).SystemInfoAsync(new SystemInfoRequest(), cancellationToken: Cancellation);

        Assert.Equal([State.Skipped, State.Failed], info.InitScripts.Select(script => script.State));
    }

    [Fact]
    public async Task The_first_shell_shows_how_the_init_scripts_went()
    {
        await using var run = await ProcessRun.ShellAsync(daemon.Processes(), new ProcessStart
        {
            ShowSplash = true,
            Pty = new PtyRequest { Term = "xterm", Columns = 80, Rows = 24 },
        });

        await run.WaitForOutputAsync("init script greet: done\r\ninit script broken: FAILED (exit 3, see ~/.k8shell/init/broken.log)\r\n", Cancellation);
        await run.WriteAsync("exit\n");
        await run.WaitForExitAsync(Cancellation);
    }
}
