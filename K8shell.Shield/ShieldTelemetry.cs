using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace K8shell.Shield;

/// <summary>
/// Shield's metrics (meter <c>K8shell.Shield</c>): bans by strike, bans still active, events consumed (their rate is
/// the events per second). Active bans are those this replica issued; summed over replicas they are all of them.
/// </summary>
internal sealed class ShieldTelemetry
{
    public const string MeterName = "K8shell.Shield";
    public const string BansCounterName = "k8shell.shield.bans";
    public const string ActiveBansGaugeName = "k8shell.shield.bans.active";
    public const string EventsCounterName = "k8shell.shield.events";

    private readonly Counter<long> _bans;
    private readonly Counter<long> _events;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _active = new(StringComparer.Ordinal);

    public ShieldTelemetry(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(MeterName);
        _bans = meter.CreateCounter<long>(BansCounterName, "{ban}", "Bans issued, by strike (1 for an address's first)");
        _events = meter.CreateCounter<long>(EventsCounterName, "{event}", "Failed-login events consumed from NATS");
        meter.CreateObservableGauge(ActiveBansGaugeName, CountActive, "{ban}", "Bans this replica issued that have not expired yet");
    }

    public void EventConsumed() => _events.Add(1);

    public void Banned(string key, int strike, DateTimeOffset expiresAt)
    {
        _bans.Add(1, new KeyValuePair<string, object?>("strike", strike));
        _active[key] = expiresAt;
    }

    private int CountActive()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, expiresAt) in _active)
        {
            if (expiresAt <= now)
            {
                _active.TryRemove(key, out _);
            }
        }
        return _active.Count;
    }
}
