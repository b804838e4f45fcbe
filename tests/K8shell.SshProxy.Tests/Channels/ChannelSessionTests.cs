using System.Security.Cryptography;
using K8shell.SshProxy.Connections;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>Session channels through the dispatcher to a real k8shelld, driven by OpenSSH: exit codes, output streams, stdin, terminals, environment.</summary>
public sealed class ChannelSessionTests(ChannelHarness harness) : HarnessTests(harness)
{
    [Fact]
    public async Task A_command_exit_code_reaches_the_client()
    {
        var ok = await Harness.OpenSsh.SshAsync("true", cancellationToken: Cancellation);
        var three = await Harness.OpenSsh.SshAsync("exit 3", cancellationToken: Cancellation);

        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(3, three.ExitCode);
    }

    [Fact]
    public async Task Stdout_and_stderr_stay_apart_and_are_counted()
    {
        var run = await Harness.OpenSsh.SshAsync("echo to-out; echo to-err >&2", cancellationToken: Cancellation);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("to-out\n", run.Output);
        Assert.Contains("to-err", run.Stderr);
        Assert.DoesNotContain("to-err", run.Output);
        var connection = Harness.Connections.Last();
        Assert.Contains(ConnectionTraffic.Exec, connection.Traffic.Operations);
        Assert.True(connection.Traffic.BytesOut >= 14, $"bytes out: {connection.Traffic.BytesOut}");
    }

    [Fact]
    public async Task A_mebibyte_through_cat_comes_back_unchanged()
    {
        var data = RandomNumberGenerator.GetBytes(1024 * 1024);

        var run = await Harness.OpenSsh.SshAsync("cat", data, cancellationToken: Cancellation);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(SHA256.HashData(run.Stdout)));
        Assert.Equal((ulong)data.Length, Harness.Connections.Last().Traffic.BytesIn);
    }

    [Fact]
    public async Task A_forced_terminal_gives_the_command_a_pty()
    {
        var run = await Harness.OpenSsh.SshAsync("tty; echo $TERM", options: ["-tt", "SetEnv=TERM=xterm-k8shell"], cancellationToken: Cancellation);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("/dev/pts/", run.Output);
        Assert.Contains(ConnectionTraffic.Pty, Harness.Connections.Last().Traffic.Operations);
    }

    [Fact]
    public async Task Only_allow_listed_environment_variables_reach_the_command()
    {
        var run = await Harness.OpenSsh.SshAsync("echo \"[$LANG][$GIT_AUTHOR_NAME][$K8SHELL_SECRET]\"",
            options: ["SetEnv=LANG=C.UTF-8 GIT_AUTHOR_NAME=Alice K8SHELL_SECRET=leak"], cancellationToken: Cancellation);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("[C.UTF-8][Alice][]\n", run.Output);
    }

    [Fact]
    public async Task The_command_learns_where_the_connection_comes_from_as_under_sshd_whatever_the_client_sends()
    {
        var run = await Harness.OpenSsh.SshAsync("echo \"$SSH_CLIENT|$SSH_CONNECTION\"",
            options: ["SetEnv=LC_X=1 SSH_CLIENT=forged SSH_CONNECTION=forged"], cancellationToken: Cancellation);

        Assert.Equal(0, run.ExitCode);
        var match = System.Text.RegularExpressions.Regex.Match(run.Output, @"^127\.0\.0\.1 (\d+) (\d+)\|127\.0\.0\.1 (\d+) 127\.0\.0\.1 (\d+)\n$");
        Assert.True(match.Success, run.Output);
        Assert.Equal((match.Groups[1].Value, match.Groups[2].Value), (match.Groups[3].Value, match.Groups[4].Value));
        Assert.Equal(Harness.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value);
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_ends_the_session_with_exit_signal()
    {
        var run = await Harness.OpenSsh.SshAsync("kill -TERM $$", options: ["-v"], cancellationToken: Cancellation);

        Assert.Equal(255, run.ExitCode);
        Assert.Contains("exit-signal", run.Stderr);
    }

    [Fact]
    public async Task The_shell_without_a_terminal_reads_commands_from_stdin()
    {
        var run = await Harness.OpenSsh.SshAsync(null, "echo from-the-shell\nexit 4\n"u8.ToArray(), cancellationToken: Cancellation);

        Assert.Equal(4, run.ExitCode);
        Assert.Contains("from-the-shell", run.Output);
        Assert.Contains(ConnectionTraffic.Shell, Harness.Connections.Last().Traffic.Operations);
    }

    [Fact]
    public async Task A_workspace_that_cannot_start_says_why_on_stderr()
    {
        Harness.WorkspaceFailure = "workspace ws-chan failed to start: image not found";

        var run = await Harness.OpenSsh.SshAsync("true", cancellationToken: Cancellation);

        Assert.Equal(255, run.ExitCode); // the command never ran, as when ssh itself cannot run one
        Assert.Contains("k8shell: workspace ws-chan failed to start: image not found", run.Stderr);
    }
}
