using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace K8shell.SshProxy;

/// <summary>
/// The gateway's traces and metrics (DESIGN.md, observability): one trace per connection spanning handshake,
/// authentication, provisioning and channels; counters for connections and their outcomes. The names start with
/// "K8shell." so the service defaults export them.
/// </summary>
internal sealed class ProxyTelemetry
{
    public const string Name = "K8shell.SshProxy";

    public static readonly ActivitySource Activities = new(Name);

    private readonly Counter<long> _connections;
    private readonly Counter<long> _handshakes;
    private readonly UpDownCounter<long> _open;
    private readonly Histogram<double> _provisioning;

    public ProxyTelemetry(IMeterFactory meters)
    {
        // The factory owns the meter and hands the same one to every part of the proxy (policy, recordings,
        // failure events): disposing it here would silence theirs too, so the factory disposes it with the host.
        var meter = meters.Create(Name);
        _connections = meter.CreateCounter<long>("k8shell.proxy.connections", description: "TCP connections accepted, by admission outcome");
        _handshakes = meter.CreateCounter<long>("k8shell.proxy.handshakes", description: "SSH handshakes (authentication included), by outcome");
        _open = meter.CreateUpDownCounter<long>("k8shell.proxy.sessions.active", description: "Authenticated connections open now");
        _provisioning = meter.CreateHistogram<double>("k8shell.proxy.provisioning.duration", "s", "Time to a ready workspace, by outcome");
    }

    public void Accepted(string outcome) => _connections.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Handshake(string outcome) => _handshakes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void SessionOpened() => _open.Add(1);

    public void SessionClosed() => _open.Add(-1);

    public void Provisioned(TimeSpan elapsed, string outcome) => _provisioning.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
}
