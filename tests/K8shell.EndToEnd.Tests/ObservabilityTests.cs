using System.Net;
using System.Text.RegularExpressions;
using K8shell.Testing;
using K8shell.Testing.AppHost;
using K8shell.Testing.Otlp;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// Issue 9 point 8 as an operator's collector sees it: the stack exports over OTLP to the fixture's receiver, and one
/// SSH connection is one trace (handshake, auth, provision and every channel under the connection's span, the gRPC
/// calls under those), counted in the proxy's metrics, logged with its session and user and without secrets.
/// </summary>
public sealed partial class ObservabilityTests(StackFixture stack)
{
    private const string Proxy = "ssh-proxy";

    /// <summary>The services export every second in development (LocalPlan); this is how long a test waits for that.</summary>
    private static readonly TimeSpan Export = TimeSpan.FromSeconds(30);

    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private OtlpReceiver Telemetry => stack.Telemetry;

    [Fact]
    public async Task An_exec_and_a_forward_are_one_trace_under_the_connection_span()
    {
        var trace = await ExecAndForwardAsync(new string('t', 1000));

        var root = Assert.Single(trace, span => span.ParentSpanId.Length == 0);
        Assert.Equal(("ssh.connection", Proxy), (root.Name, root.Service));
        Assert.Equal(stack.User, root.Attribute("user.name"));
        Assert.Equal("127.0.0.1", root.Attribute("client.address"));
        Assert.Equal(root.SpanId, Assert.Single(trace, span => span.Name == "ssh.handshake").ParentSpanId);
        var auth = Assert.Single(trace, span => span.Name == "ssh.auth");
        Assert.Equal((root.SpanId, "publickey"), (auth.ParentSpanId, auth.Attribute("ssh.auth.method")));
        var provision = Assert.Single(trace, span => span.Name == "provision");
        Assert.Equal(root.SpanId, provision.ParentSpanId);
        var channels = trace.Where(span => span.Name == "ssh.channel").ToList();
        Assert.All(channels, channel => Assert.Equal(root.SpanId, channel.ParentSpanId));
        var exec = Assert.Single(channels, channel => channel.Attribute("ssh.channel.type") == "session");
        Assert.Equal("exec", exec.Attribute("ssh.channel.request"));
        Assert.Single(channels, channel => channel.Attribute("ssh.channel.type") == "direct-tcpip");
        // The calls went out while their span was current: Identity's under auth, the Provisioner's under provision, k8shelld's under the channel.
        Assert.Contains(trace, span => span.ParentSpanId == auth.SpanId && span.Kind == K8shell.Testing.Otlp.Trace.Span.Types.SpanKind.Client);
        Assert.Contains(trace, span => span.ParentSpanId == provision.SpanId && span.Kind == K8shell.Testing.Otlp.Trace.Span.Types.SpanKind.Client);
        Assert.Contains(trace, span => span.ParentSpanId == exec.SpanId && span.Kind == K8shell.Testing.Otlp.Trace.Span.Types.SpanKind.Client);
        // The trace crosses processes: Identity served the proxy's call as part of it.
        Assert.Contains(trace, span => span.Service == "identity" && span.Kind == K8shell.Testing.Otlp.Trace.Span.Types.SpanKind.Server);
    }

    [Fact]
    public async Task A_session_counts_in_the_proxy_metrics()
    {
        var before = Snapshot();
        var sent = new string('m', 5000);

        await ExecAndForwardAsync(sent);

        Assert.True(await Eventually.WaitAsync(() =>
        {
            var after = Snapshot();
            return after.Accepted > before.Accepted && after.KeySuccesses > before.KeySuccesses && after.Sessions > before.Sessions
                && after.Forwards > before.Forwards && after.Provisionings > before.Provisionings
                && after.Received - before.Received >= sent.Length && after.Transmitted - before.Transmitted >= sent.Length;
        }, Export, Cancellation), $"the proxy's metrics did not count the session: before {before}, after {Snapshot()}");
    }

    [Fact]
    public async Task A_wrong_key_counts_as_a_failed_publickey_attempt()
    {
        var before = FailedKeys();
        var strangerKey = Path.Combine(stack.Home, $"stranger-{Guid.NewGuid():N}");
        await SshKeys.GenerateAsync(strangerKey, cancellationToken: Cancellation);

        var (exitCode, _, _) = await Programs.RunAsync("ssh", [.. _gateway.Options(keyFile: strangerKey), _gateway.Destination(), "true"], cancellationToken: Cancellation);

        Assert.Equal(255, exitCode);
        Assert.True(await Eventually.WaitAsync(() => FailedKeys() > before, Export, Cancellation), "no failed publickey attempt was counted");
    }

    [Fact]
    public async Task A_session_logs_with_its_session_id_and_user_and_no_log_holds_a_token_or_key()
    {
        var trace = await ExecAndForwardAsync("logged");
        var sessionId = Assert.Single(trace, span => span.Name == "ssh.connection").Attribute("k8shell.session_id");
        Assert.NotNull(sessionId);

        // The exec's line is logged on the channel's own task: the connection's scope reached it.
        var execLogged = await Eventually.WaitAsync(() => Telemetry.Logs.Any(log => log.Service == Proxy && log.Attributes.GetValueOrDefault("Kind") == "exec"
            && log.Attributes.GetValueOrDefault("SessionId") == sessionId), Export, Cancellation);
        Assert.True(execLogged, $"no log of the exec carried session {sessionId}");
        var connectionLogs = Telemetry.Logs.Where(log => log.Service == Proxy && log.Attributes.GetValueOrDefault("SessionId") == sessionId).ToList();
        Assert.All(connectionLogs, log => Assert.Equal(stack.User, log.Attributes.GetValueOrDefault("User")));

        var secrets = Secrets();
        var leaks = Telemetry.Logs.Where(log => Leaks(log.Body, secrets) || log.Attributes.Values.Any(value => Leaks(value, secrets)))
            .Select(log => $"{log.Service}: {log.Body}").ToList();
        Assert.Empty(leaks);
        Assert.Contains(Telemetry.Logs, log => log.Service == "identity"); // the check above read every service's logs, not none
    }

    /// <summary>
    /// One connection with an exec (waiting, so the forward runs beside it) and a <c>-L</c> forward carrying
    /// <paramref name="text"/> to an echo server; the connection's spans once they are all exported.
    /// </summary>
    private async Task<IReadOnlyList<ReceivedSpan>> ExecAndForwardAsync(string text)
    {
        await using var echo = EchoServer.Tcp();
        var local = FreePort.Next();
        using (_gateway.Start("sleep 600", null, "-o", "ExitOnForwardFailure=yes", "-L", $"{local}:127.0.0.1:{echo.Port}"))
        {
            Assert.Equal(text, await EchoServer.EchoThroughAsync(new IPEndPoint(IPAddress.Loopback, local), text, Cancellation));
        }
        // Killing the client ends the connection: the exec's channel, then the connection's span end and are exported.
        IReadOnlyList<ReceivedSpan> trace = [];
        var exported = await Eventually.WaitAsync(() =>
        {
            var forward = Telemetry.Spans.FirstOrDefault(span => span.Name == "ssh.channel" && span.Attribute("server.port") == echo.Port.ToString());
            trace = forward is null ? [] : [.. Telemetry.Spans.Where(span => span.TraceId == forward.TraceId)];
            // Identity exports its own spans on its own schedule: its server span comes when it comes, after the proxy's.
            return trace.Any(span => span.Name == "ssh.connection") && trace.Count(span => span.Name == "ssh.channel") == 2
                && trace.Any(span => span.Service == "identity" && span.Kind == K8shell.Testing.Otlp.Trace.Span.Types.SpanKind.Server)
                && ((string[])["ssh.auth", "provision", "ssh.channel"]).All(name => trace.Any(span => span.Kind == K8shell.Testing.Otlp.Trace.Span.Types.SpanKind.Client
                    && trace.Any(parent => parent.SpanId == span.ParentSpanId && parent.Name == name)));
        }, Export, Cancellation);
        Assert.True(exported, $"the connection's spans were not all exported; got:\n{string.Join("\n", trace.Select(span => $"{span.SpanId} <- {span.ParentSpanId} {span.Service} {span.Scope} {span.Name} {span.Kind}"))}");
        return trace;
    }

    private MetricsSnapshot Snapshot() => new(
        Telemetry.Total(Proxy, "k8shell.proxy.connections", ("outcome", "accepted")),
        Telemetry.Total(Proxy, "k8shell.proxy.auth.attempts", ("ssh.auth.method", "publickey"), ("outcome", "success")),
        Telemetry.Total(Proxy, "k8shell.proxy.channels", ("ssh.channel.type", "session"), ("outcome", "opened")),
        Telemetry.Total(Proxy, "k8shell.proxy.channels", ("ssh.channel.type", "direct-tcpip"), ("outcome", "opened")),
        Telemetry.Total(Proxy, "k8shell.proxy.provisioning.duration", ("outcome", "ready")),
        Telemetry.Total(Proxy, "k8shell.proxy.bytes", ("network.io.direction", "receive")),
        Telemetry.Total(Proxy, "k8shell.proxy.bytes", ("network.io.direction", "transmit")));

    private double FailedKeys() => Telemetry.Total(Proxy, "k8shell.proxy.auth.attempts", ("ssh.auth.method", "publickey"), ("outcome", "failure"));

    /// <summary>The developer's key (private and public) and the services' caller tokens: none may reach a log.</summary>
    private List<string> Secrets()
    {
        var privateKey = File.ReadAllLines(stack.KeyFile).Where(line => !line.StartsWith("-----", StringComparison.Ordinal) && line.Length > 20);
        var publicKey = File.ReadAllText(stack.KeyFile + ".pub").Split(' ')[1];
        string[] callers = [stack.App.GetCallerToken("ssh-proxy", "identity"), stack.App.GetCallerToken("ssh-proxy", "provisioner")];
        return [.. privateKey, publicKey, .. callers];
    }

    /// <summary>A known secret, or anything shaped like a JWT (a user's token is one; the test cannot know its value).</summary>
    private static bool Leaks(string text, List<string> secrets) =>
        Jwt().IsMatch(text) || secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal));

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.")]
    private static partial Regex Jwt();

    private sealed record MetricsSnapshot(double Accepted, double KeySuccesses, double Sessions, double Forwards, double Provisionings, double Received, double Transmitted);
}
