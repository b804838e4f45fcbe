using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>
/// as_user: another account of the workspace, only when k8shelld runs as root (as in a pod) and the
/// caller's token says sudo. The tests run as root (CI, the dev image), so the drop is real: a
/// throw-away account is created for them, and "nobody" shows that its login shell is honoured.
/// </summary>
public sealed class AsUserTests(DaemonFixture daemon)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<ProcessRun> ExecAsync(string command, string asUser, bool sudo) =>
        ProcessRun.ExecAsync(daemon.Processes(daemon.Token(sudo: sudo)),
            new ProcessStart { Command = command, AsUser = asUser });

    [Fact]
    public async Task A_sudo_caller_runs_as_another_user_with_that_users_ids_and_groups_only()
    {
        Assert.True(Environment.UserName == "root", "these tests need the daemon to run as root, as in a workspace pod");
        var user = $"k8sh-{Guid.NewGuid():N}"[..16];
        await Programs.RunToSuccessAsync("useradd", ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/bash", "--user-group", user], cancellationToken: Cancellation);
        try
        {
            var ids = (await Programs.RunToSuccessAsync("id", [user], cancellationToken: Cancellation)).Trim();
            await using var run = await ExecAsync("echo \"$(id) $USER $HOME $SHELL\"", user, sudo: true);

            Assert.Equal(0u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
            Assert.Equal($"{ids} {user} /nonexistent /bin/bash\n", run.Stdout);

            // On a terminal, the device is the user's too (as sshd hands it over), or programs reopening it would fail.
            await using var shell = await ProcessRun.ExecAsync(daemon.Processes(daemon.Token(sudo: true)),
                new ProcessStart { Command = "stat -c '%U:%a' \"$(tty)\"", AsUser = user, Pty = new PtyRequest { Term = "dumb", Columns = 80, Rows = 24 } });
            Assert.Equal(0u, (await shell.WaitForExitAsync(Cancellation)).ExitStatus);
            Assert.Equal($"{user}:600\r\n", shell.Stdout);
        }
        finally
        {
            await Programs.RunToSuccessAsync("userdel", [user], cancellationToken: Cancellation);
        }
    }

    [Fact]
    public async Task An_account_without_a_login_shell_gets_its_nologin_message()
    {
        await using var run = await ExecAsync("id", "nobody", sudo: true);

        Assert.Equal(1u, (await run.WaitForExitAsync(Cancellation)).ExitStatus);
        Assert.Contains("This account is currently not available.", run.Stdout);
    }

    [Fact]
    public async Task Without_sudo_in_the_token_as_user_is_refused()
    {
        await using var run = await ExecAsync("id", "nobody", sudo: false);

        var failure = await run.FailureAsync(Cancellation);

        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
        Assert.Contains("not allowed", failure.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_user_is_not_found()
    {
        await using var run = await ExecAsync("id", "no-such-user-k8shell", sudo: true);

        var failure = await run.FailureAsync(Cancellation);

        Assert.Equal(StatusCode.NotFound, failure.StatusCode);
        Assert.Contains("no-such-user-k8shell", failure.Status.Detail);
    }
}
