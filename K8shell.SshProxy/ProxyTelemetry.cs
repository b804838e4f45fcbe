using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace K8shell.SshProxy;

/// <summary>
/// The gateway's traces and metrics (DESIGN.md, observability): one trace per connection, its root
/// <c>ssh.connection</c> with children <c>ssh.handshake</c>, <c>ssh.auth</c>, <c>provision</c> and one <c>ssh.channel</c>
/// per channel; counters for connections, handshakes, authentication attempts, channels and bytes. The names start
/// with "K8shell." so the service defaults export them. Tags stay few-valued: user names and addresses go on spans,
/// never on metrics.
/// </summary>
internal sealed class ProxyTelemetry
{
    public const string Name = "K8shell.SshProxy";

    public const string ConnectionsName = "k8shell.proxy.connections";
    public const string HandshakesName = "k8shell.proxy.handshakes";
    public const string AuthAttemptsName = "k8shell.proxy.auth.attempts";
    public const string ChannelsName = "k8shell.proxy.channels";
    public const string BytesName = "k8shell.proxy.bytes";
    public const string ProvisioningName = "k8shell.proxy.provisioning.duration";

    /// <summary>OTel's name for the direction of bytes (semantic conventions, network): from the client is receive.</summary>
    public const string DirectionTag = "network.io.direction";

    public static readonly ActivitySource Activities = new(Name);

    private static readonly KeyValuePair<string, object?> Received = new(DirectionTag, "receive");
    private static readonly KeyValuePair<string, object?> Transmitted = new(DirectionTag, "transmit");

    private readonly Counter<long> _connections;
    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _authAttempts;
    private readonly Counter<long> _channels;
    private readonly Counter<long> _bytes;
    private readonly UpDownCounter<long> _open;
    private readonly Histogram<double> _provisioning;

    public ProxyTelemetry(IMeterFactory meters)
    {
        // The factory owns the meter and hands the same one to every part of the proxy (policy, recordings,
        // failure events): disposing it here would silence theirs too, so the factory disposes it with the host.
        var meter = meters.Create(Name);
        _connections = meter.CreateCounter<long>(ConnectionsName, "{connection}", "TCP connections accepted, by admission outcome");
        _handshakes = meter.CreateCounter<long>(HandshakesName, "{handshake}", "SSH handshakes (authentication included), by outcome");
        _authAttempts = meter.CreateCounter<long>(AuthAttemptsName, "{attempt}", "Authentication attempts the proxy decided, by method and outcome (success, failure, partial)");
        _channels = meter.CreateCounter<long>(ChannelsName, "{channel}", "Channels the clients asked for, by type and outcome (opened, denied, failed)");
        _bytes = meter.CreateCounter<long>(BytesName, "By", "Channel bytes, by direction (receive: from clients, transmit: to clients)");
        _open = meter.CreateUpDownCounter<long>("k8shell.proxy.sessions.active", "{session}", "Authenticated connections open now");
        _provisioning = meter.CreateHistogram<double>(ProvisioningName, "s", "Time to a ready workspace, by outcome");
    }

    /// <summary>
    /// A span under <paramref name="parent"/> that does not become the caller's current activity: it belongs to work
    /// that runs on other tasks or in callbacks (a channel, the login), which make it current there themselves, and
    /// the caller's flow keeps its own span.
    /// </summary>
    public static Activity? StartChild(string name, ActivityContext parent, ActivityKind kind = ActivityKind.Internal)
    {
        var current = Activity.Current;
        var child = Activities.StartActivity(name, kind, parent);
        Activity.Current = current;
        return child;
    }

    public void Accepted(string outcome) => _connections.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Handshake(string outcome) => _handshakes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary><paramref name="method"/> is one the proxy implements (publickey, password, keyboard-interactive), never what a client made up.</summary>
    public void AuthAttempt(string method, string outcome) =>
        _authAttempts.Add(1, new KeyValuePair<string, object?>("ssh.auth.method", method), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary><paramref name="type"/> must be a known channel type or "other": clients choose the type's name.</summary>
    public void Channel(string type, string outcome) =>
        _channels.Add(1, new KeyValuePair<string, object?>("ssh.channel.type", type), new KeyValuePair<string, object?>("outcome", outcome));

    public void BytesReceived(int bytes) => _bytes.Add(bytes, Received);

    public void BytesTransmitted(int bytes) => _bytes.Add(bytes, Transmitted);

    public void SessionOpened() => _open.Add(1);

    public void SessionClosed() => _open.Add(-1);

    public void Provisioned(TimeSpan elapsed, string outcome) => _provisioning.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
}
