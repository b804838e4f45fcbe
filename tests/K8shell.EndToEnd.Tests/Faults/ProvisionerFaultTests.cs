namespace K8shell.EndToEnd.Tests;

/// <summary>Provisioner down: a login that needs a workspace is told why and leaves nothing behind; the next one after it is back works.</summary>
public sealed partial class FaultStackTests
{
    [Fact]
    public async Task Provisioner_down_a_login_is_told_to_try_again_and_leaves_no_record_and_no_workspace()
    {
        var userString = $"{stack.User}~ubuntu"; // a workspace only this test asks for
        var daemonsBefore = DaemonPidFiles();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await using (var outage = await OutageOfAsync("provisioner"))
        {
            var (exitCode, output, errors) = await _gateway.SshAsync("echo ran", userString);
            Assert.True(exitCode == 255, $"a login without the Provisioner exited {exitCode}: {output} {errors}"); // the command never ran
            Assert.Equal("", output);
            Assert.Equal("k8shell: provisioning service unavailable, try again\n", errors);

            Assert.Empty(await SessionsSinceAsync(before)); // the record is made only once there is a workspace
            Assert.Equal(daemonsBefore, DaemonPidFiles()); // and no workspace was started
            await outage.EndAsync();
        }

        var (again, againOutput, againErrors) = await _gateway.SshAsync("echo $K8SHELL_WORKSPACE", userString);
        Assert.True(again == 0, $"the first login after the Provisioner came back exited {again}: {againErrors}");
        Assert.StartsWith($"{stack.User}-", againOutput);
        Assert.Contains(DaemonPidFiles(), file => file.Contains(againOutput.Trim(), StringComparison.Ordinal));
    }

    /// <summary>The Process backend's running workspaces: a pid file in each workspace's folder.</summary>
    private List<string> DaemonPidFiles() =>
        [.. Directory.EnumerateFiles(stack.DataDirectory, "k8shelld.pid", SearchOption.AllDirectories).Order()];
}
