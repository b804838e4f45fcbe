using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>Provisioner down: a login that needs a workspace is told why and leaves nothing behind; the next one after it is back works.</summary>
public sealed partial class FaultStackTests
{
    [Fact]
    public async Task Provisioner_down_a_login_is_told_to_try_again_and_leaves_no_record_and_no_workspace()
    {
        var userString = $"{stack.User}~ubuntu"; // a workspace only this test asks for
        // No slack: the gateway stamps sessions with this machine's clock, and a second back reaches the previous test's login.
        var before = DateTimeOffset.UtcNow;

        await using (var outage = await OutageOfAsync("provisioner"))
        {
            // Taken once it is down: a stopping Provisioner stops the daemons it runs (KeepRunningOnShutdown is off).
            var daemonsBefore = stack.DaemonPidFiles();
            var (exitCode, output, errors) = await _gateway.SshAsync("echo ran", userString);
            Assert.True(exitCode == 255, $"a login without the Provisioner exited {exitCode}: {output} {errors}"); // the command never ran
            Assert.Equal("", output);
            Assert.Equal("k8shell: provisioning service unavailable, try again\n", errors);

            Assert.Empty(await SessionsSinceAsync(before)); // the record is made only once there is a workspace
            Assert.Equal(daemonsBefore, stack.DaemonPidFiles()); // and no workspace was started
            await outage.EndAsync();
        }

        var (again, againOutput, againErrors) = await _gateway.SshAsync("echo $K8SHELL_WORKSPACE", userString);
        Assert.True(again == 0, $"the first login after the Provisioner came back exited {again}: {againErrors}");
        Assert.StartsWith($"{stack.User}-", againOutput);
        Assert.Contains(stack.DaemonPidFiles(), file => file.Contains(againOutput.Trim(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Provisioner_killed_while_it_starts_a_workspace_the_login_is_told_and_the_next_one_gets_that_workspace()
    {
        var userString = $"{stack.User}~{AppHostStack.SlowBlueprint}"; // its init script takes 10 s: time to kill the Provisioner under it
        var daemonsBefore = stack.DaemonPidFiles();
        using var login = _gateway.Start("echo $K8SHELL_WORKSPACE", userString);
        Assert.True(await Eventually.WaitAsync(() => stack.DaemonPidFiles().Count > daemonsBefore.Count, TimeSpan.FromSeconds(30), Cancellation),
            "the Provisioner never started the workspace's daemon");

        using (var provisioner = System.Diagnostics.Process.GetProcessById(stack.App.GetResourceProcessId("provisioner")
            ?? throw new InvalidOperationException("the Provisioner is not running")))
        {
            provisioner.Kill(); // SIGKILL to it alone (its workspaces' daemons live on): an OOM kill, no goodbye
        }
        try
        {
            var (exitCode, output, errors) = await login.WaitAsync(Cancellation).WaitAsync(TimeSpan.FromSeconds(60), Cancellation);
            Assert.True(exitCode == 255, $"a login whose Provisioner died exited {exitCode}: {output} {errors}");
            Assert.Equal("k8shell: provisioning service unavailable, try again\n", errors);
        }
        finally
        {
            // It may start again once the stack saw it exit (the kill is not instant); a login that ends first must not race it.
            await Eventually.WaitAsync(() => stack.App.GetResourceProcessId("provisioner") is null, TimeSpan.FromSeconds(10), Cancellation);
            await stack.App.StartResourceAsync("provisioner", Cancellation);
        }

        // The half-started workspace is taken over (the daemon outlived its Provisioner), not started a second time.
        var (again, againOutput, againErrors) = await _gateway.SshAsync("echo $K8SHELL_WORKSPACE", userString);
        Assert.True(again == 0, $"the first login after the Provisioner came back exited {again}: {againErrors}");
        var workspace = againOutput.Trim();
        var added = stack.DaemonPidFiles().Except(daemonsBefore).ToList();
        Assert.True(added.Count == 1 && added[0].Contains($"/{workspace}/", StringComparison.Ordinal),
            $"workspace {workspace}: daemons started by the two logins: {string.Join(", ", added)}");
    }
}
