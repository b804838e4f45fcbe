using System.Diagnostics;
using System.Text;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Channels;
using K8shell.SshProxy.Tests.Channels;
using K8shell.Testing;

namespace K8shell.SshProxy.Tests.Telemetry;

/// <summary>
/// Channel spans and counts through the real dispatcher, OpenSSH and k8shelld: each channel's span is a child of its
/// connection's span although channels run on tasks of their own, the k8shelld call is a child of the channel's span,
/// and every channel counts once by type and outcome; the bytes count as the session record counts them.
/// </summary>
public sealed class ChannelTelemetryTests(ChannelHarness harness) : HarnessTests(harness)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_exec_channel_is_a_span_under_the_connection_with_the_k8shelld_call_under_it_and_its_bytes_counted()
    {
        using var capture = new TelemetryCapture(Harness.Meters);
        var input = Encoding.ASCII.GetBytes(new string('x', 20_000));

        var run = await Harness.OpenSsh.SshAsync("cat", input, cancellationToken: Cancellation);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(input.Length, run.Stdout.Length);
        var connection = Harness.Connections.Last().Trace;
        var channel = await EndedChannelSpanAsync(capture, connection.TraceId);
        Assert.Equal(connection.SpanId, channel.ParentSpanId);
        Assert.Equal("session", channel.GetTagItem("ssh.channel.type"));
        Assert.Equal("exec", channel.GetTagItem("ssh.channel.request"));
        Assert.Equal(ChannelOpening.Opened, channel.GetTagItem("ssh.channel.outcome"));
        // The Exec stream to k8shelld (Grpc.Net.Client's or HttpClient's span) started while the channel's span was current.
        Assert.Contains(capture.SpansOf(connection.TraceId), span => span.ParentSpanId == channel.SpanId && span.Source.Name != ProxyTelemetry.Name);
        Assert.Equal(1, capture.Sum(ProxyTelemetry.ChannelsName, ("ssh.channel.type", "session"), ("outcome", ChannelOpening.Opened)));
        Assert.True(capture.Sum(ProxyTelemetry.BytesName, (ProxyTelemetry.DirectionTag, "receive")) >= input.Length);
        Assert.True(capture.Sum(ProxyTelemetry.BytesName, (ProxyTelemetry.DirectionTag, "transmit")) >= input.Length);
    }

    [Fact]
    public async Task A_forward_that_connects_counts_opened_and_one_to_a_closed_port_counts_failed()
    {
        using var capture = new TelemetryCapture(Harness.Meters);
        await using var echo = EchoServer.Tcp();
        var closedPort = FreePort.Next();

        var through = await Harness.OpenSsh.SshAsync(null, "through -W\n"u8.ToArray(), [$"-W127.0.0.1:{echo.Port}"], cancellationToken: Cancellation);
        var opened = await EndedChannelSpanAsync(capture, Harness.Connections.Last().Trace.TraceId);
        var refused = await Harness.OpenSsh.SshAsync(null, [], [$"-W127.0.0.1:{closedPort}"], cancellationToken: Cancellation);
        var failed = await EndedChannelSpanAsync(capture, Harness.Connections.Last().Trace.TraceId);

        Assert.Equal(0, through.ExitCode);
        Assert.Equal(255, refused.ExitCode);
        Assert.Equal("direct-tcpip", opened.GetTagItem("ssh.channel.type"));
        Assert.Equal((long)echo.Port, opened.GetTagItem("server.port"));
        Assert.Equal(ChannelOpening.Opened, opened.GetTagItem("ssh.channel.outcome"));
        Assert.Equal(ChannelOpening.Failed, failed.GetTagItem("ssh.channel.outcome"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(1, capture.Sum(ProxyTelemetry.ChannelsName, ("ssh.channel.type", "direct-tcpip"), ("outcome", ChannelOpening.Opened)));
        Assert.Equal(1, capture.Sum(ProxyTelemetry.ChannelsName, ("ssh.channel.type", "direct-tcpip"), ("outcome", ChannelOpening.Failed)));
    }

    [Fact]
    public async Task A_forward_the_policy_refuses_counts_denied_and_its_span_says_why()
    {
        using var capture = new TelemetryCapture(Harness.Meters);
        await using var echo = EchoServer.Tcp();
        Harness.Policy.Decide = (action, _) => action == "ssh:direct-tcpip" ? PolicyDecision.Deny("no tunnels here") : PolicyDecision.Allow();

        var refused = await Harness.OpenSsh.SshAsync(null, [], [$"-W127.0.0.1:{echo.Port}"], cancellationToken: Cancellation);

        Assert.Equal(255, refused.ExitCode);
        var denied = await EndedChannelSpanAsync(capture, Harness.Connections.Last().Trace.TraceId);
        Assert.Equal(ChannelOpening.Denied, denied.GetTagItem("ssh.channel.outcome"));
        Assert.Equal("no tunnels here", denied.StatusDescription);
        Assert.Equal(1, capture.Sum(ProxyTelemetry.ChannelsName, ("ssh.channel.type", "direct-tcpip"), ("outcome", ChannelOpening.Denied)));
        Assert.Equal(0, capture.Sum(ProxyTelemetry.ChannelsName, ("outcome", ChannelOpening.Opened)));
    }

    /// <summary>The channel's span ends when its task does, a moment after the client saw the channel close.</summary>
    private static async Task<Activity> EndedChannelSpanAsync(TelemetryCapture capture, ActivityTraceId trace)
    {
        Activity? channel = null;
        var ended = await Eventually.WaitAsync(() => (channel = capture.SpansOf(trace).SingleOrDefault(span => span.OperationName == "ssh.channel")) is not null,
            Patience, Cancellation);
        Assert.True(ended, "no ssh.channel span ended in the connection's trace");
        return channel!;
    }
}
