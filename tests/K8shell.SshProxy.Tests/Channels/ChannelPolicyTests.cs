using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Recording;
using K8shell.Testing;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>The policy and recordings around channels: denials with reasons the user reads, the context the policy sees, what recordings get.</summary>
public sealed class ChannelPolicyTests(ChannelHarness harness) : HarnessTests(harness)
{
    [Fact]
    public async Task A_denied_exec_prints_the_reason_and_fails()
    {
        Harness.Policy.Decide = (action, _) => action == "ssh:exec" ? PolicyDecision.Deny("commands are not allowed on ws-chan") : PolicyDecision.Allow();

        var run = await Harness.OpenSsh.SshAsync("echo should-not-run", cancellationToken: Cancellation);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("commands are not allowed on ws-chan", run.Stderr);
        Assert.DoesNotContain("should-not-run", run.Output);
        var (_, context) = Assert.Single(Harness.Policy.Asked, asked => asked.Action == "ssh:exec");
        Assert.Equal("echo should-not-run", context["command"]);
    }

    [Fact]
    public async Task A_denied_direct_tcpip_is_administratively_prohibited_with_the_reason()
    {
        Harness.Policy.Decide = (action, _) => action == "ssh:direct-tcpip" ? PolicyDecision.Deny("no tunnels to port 5432") : PolicyDecision.Allow();

        var run = await Harness.OpenSsh.SshAsync(null, options: ["-W127.0.0.1:5432"], cancellationToken: Cancellation);

        Assert.Equal(255, run.ExitCode);
        Assert.Contains("administratively prohibited: no tunnels to port 5432", run.Stderr);
        var (_, context) = Assert.Single(Harness.Policy.Asked, asked => asked.Action == "ssh:direct-tcpip");
        Assert.Equal("5432", context["port"]);
    }

    [Fact]
    public async Task The_recording_obligation_reaches_the_recorder_which_gets_the_output()
    {
        Harness.Policy.Decide = (action, _) => action == "session:start"
            ? new PolicyDecision(true, "", new Dictionary<string, string> { [PolicyDecision.RecordObligation] = "exec" })
            : PolicyDecision.Allow();

        var run = await Harness.OpenSsh.SshAsync("echo recorded-output", cancellationToken: Cancellation);

        Assert.Equal(0, run.ExitCode);
        var (request, recording) = Assert.Single(Harness.Recorders.Started);
        Assert.Equal(RecordingKind.Exec, request.Kind);
        Assert.Equal("exec", request.Obligation);
        Assert.Equal("echo recorded-output", request.Command);
        Assert.StartsWith($"ex-{Harness.Connections.Last().SessionId}", request.StreamId);
        Assert.Equal("recorded-output\n", System.Text.Encoding.UTF8.GetString(recording.OutputBytes()));
        Assert.True(await Eventually.WaitAsync(() => recording.Disposed, TimeSpan.FromSeconds(10), Cancellation), "the recording was never ended");
    }

    [Fact]
    public async Task A_recording_that_must_happen_but_cannot_refuses_the_session()
    {
        Harness.Recorders.Refusal = "this session must be recorded and the recorder is unreachable";

        var run = await Harness.OpenSsh.SshAsync("echo should-not-run", cancellationToken: Cancellation);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("this session must be recorded and the recorder is unreachable", run.Stderr);
        Assert.DoesNotContain("should-not-run", run.Output);
    }
}
