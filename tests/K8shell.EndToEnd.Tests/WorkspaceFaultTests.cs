using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The workspace's daemon dies under an open session (a pod evicted, an OOM kill): the client is told and its ssh
/// ends instead of hanging, and the next login gets a working workspace again. A workspace of its own
/// (blueprint <c>ubuntu</c>), so the other tests' workspace keeps its daemon.
/// </summary>
public sealed class WorkspaceFaultTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string UserString => $"{stack.User}~ubuntu";

    [Fact]
    public async Task A_killed_daemon_ends_the_session_with_a_message_and_the_next_login_works()
    {
        var started = Path.Combine(Path.GetTempPath(), $"k8shell-e2e-started-{Guid.NewGuid():N}");
        using var session = _gateway.Start($"echo $K8SHELL_WORKSPACE $$ > {started}; exec sleep 600", UserString);
        Assert.True(await Eventually.WaitAsync(() => File.Exists(started) && File.ReadAllText(started).EndsWith('\n'), TimeSpan.FromSeconds(60), Cancellation),
            "the session never started");
        var (workspace, command) = File.ReadAllText(started).Trim().Split(' ') is [var name, var pid] ? (name, int.Parse(pid)) : throw new FormatException(started);
        File.Delete(started);
        // Like sshd's children when its session process is killed, the command outlives the daemon; the test ends it.
        using var orphan = System.Diagnostics.Process.GetProcessById(command);
        try
        {
            using (var daemon = DaemonOf(workspace))
            {
                daemon.Kill(); // SIGKILL: no goodbye to anyone
            }

            var (exitCode, _, errors) = await session.WaitAsync(Cancellation).WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
            Assert.Equal(255, exitCode); // exit-status 255, as ssh reports its own failures: the command's own status is unknowable
            Assert.StartsWith("k8shell: lost the connection to the workspace (", errors);

            var (again, output, againErrors) = await _gateway.SshAsync("echo $K8SHELL_WORKSPACE", UserString);
            Assert.True(again == 0, againErrors);
            Assert.Equal(workspace, output.Trim());
        }
        finally
        {
            orphan.Kill();
        }
    }

    /// <summary>The Process backend's daemon of <paramref name="workspace"/>, from its pid file in the workspace's folder.</summary>
    private System.Diagnostics.Process DaemonOf(string workspace)
    {
        var pidFile = stack.DaemonPidFiles().Single(file => Path.GetFileName(Path.GetDirectoryName(file)) == workspace);
        return System.Diagnostics.Process.GetProcessById(int.Parse(File.ReadAllText(pidFile).Split(' ')[0])); // "pid start-time"
    }
}
