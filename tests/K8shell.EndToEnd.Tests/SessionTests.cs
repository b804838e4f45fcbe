namespace K8shell.EndToEnd.Tests;

/// <summary>OpenSSH's ssh through the gateway into the developer's workspace: commands, exit codes, output streams, one workspace per user string.</summary>
public sealed class SessionTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    [Fact]
    public async Task True_exits_0_and_exit_3_exits_3()
    {
        Assert.Equal(0, (await _gateway.SshAsync("true")).ExitCode);
        Assert.Equal(3, (await _gateway.SshAsync("exit 3")).ExitCode);
    }

    [Fact]
    public async Task Stdout_and_stderr_stay_apart()
    {
        var (exitCode, output, errors) = await _gateway.SshAsync("echo to-out; echo to-err >&2");

        Assert.Equal(0, exitCode);
        Assert.Equal("to-out\n", output);
        Assert.Equal("to-err\n", errors);
    }

    [Fact]
    public async Task Two_parallel_connections_with_the_same_user_string_land_in_the_same_workspace()
    {
        var marker = $"parallel-{Guid.NewGuid():N}";
        var connections = await Task.WhenAll(
            _gateway.SshAsync($"echo $K8SHELL_WORKSPACE; touch ~/{marker}; sleep 1; ls ~/{marker}"),
            _gateway.SshAsync($"sleep 0.5; echo $K8SHELL_WORKSPACE; ls ~/{marker}"));

        Assert.All(connections, connection => Assert.True(connection.ExitCode == 0, connection.Errors));
        var workspaces = connections.Select(connection => connection.Output.Split('\n')[0]).Distinct().ToList();
        Assert.Single(workspaces);
        Assert.StartsWith($"{stack.User}-", workspaces[0]);
        Assert.All(connections, connection => Assert.Contains(marker, connection.Output));
    }

    [Fact]
    public async Task SetEnv_passes_allowed_variables_and_drops_others()
    {
        var (exitCode, output, errors) = await _gateway.SshAsync("echo \"$LC_K8SHELL_TEST|$NOT_ALLOWED|$USER\"", null,
            "-o", "SetEnv=LC_K8SHELL_TEST=kept NOT_ALLOWED=dropped");

        Assert.True(exitCode == 0, errors);
        Assert.Equal($"kept||{stack.User}\n", output);
    }

    [Fact]
    public async Task A_bad_user_string_is_explained_in_the_auth_banner()
    {
        var (exitCode, _, errors) = await _gateway.SshAsync("true", $"{stack.User}~repo=", "-o", "LogLevel=INFO");

        Assert.Equal(255, exitCode);
        Assert.Contains("invalid user string", errors);
    }

    [Fact]
    public async Task A_pod_that_does_not_exist_is_never_provisioned()
    {
        var (exitCode, _, errors) = await _gateway.SshAsync("true", $"{stack.User}~pod=nosuchworkspace");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("workspace nosuchworkspace not found", errors);
    }
}
