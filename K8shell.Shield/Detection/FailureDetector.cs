using System.Net;
using K8shell.ServiceDefaults.Networking;
using K8shell.Shield.State;
using Microsoft.Extensions.Options;

namespace K8shell.Shield.Detection;

/// <summary>
/// The detection algorithm of the reference §6.3, without I/O so it can be tested with a settable clock: a sliding
/// window of failures per address, a threshold that drops with each strike, and a ban schedule whose last step repeats.
/// </summary>
internal sealed class FailureDetector(IOptions<ShieldOptions> options)
{
    private readonly ShieldOptions _options = options.Value;
    private readonly NetworkList _whitelist = NetworkList.Parse(options.Value.Whitelist);

    /// <summary>Whitelisted addresses are dropped before counting, so they are never banned.</summary>
    public bool IsWhitelisted(IPAddress address) => _whitelist.Contains(address);

    /// <summary>The failures that ban an address with <paramref name="strikes"/> strikes.</summary>
    public int ThresholdFor(int strikes) =>
        _options.DecreasingThreshold ? Math.Max(1, _options.Threshold - strikes) : _options.Threshold;

    /// <summary>How long strike <paramref name="strike"/> (1-based) bans: the schedule's entry, the last one past its end.</summary>
    public TimeSpan DurationOf(int strike)
    {
        var schedule = _options.EffectiveBanSchedule;
        return schedule[Math.Clamp(strike - 1, 0, schedule.Count - 1)];
    }

    /// <summary>
    /// Counts a failure that happened at <paramref name="at"/>, seen at <paramref name="now"/>, for an address whose
    /// record is <paramref name="record"/> (null: not tracked yet). Failures older than the window are forgotten; one
    /// already outside it when seen (a backlog after an outage) is not counted, so a late batch cannot ban by itself.
    /// </summary>
    public Verdict Count(IpRecord? record, DateTimeOffset at, DateTimeOffset now)
    {
        record ??= new IpRecord();
        var since = now - _options.Window;
        // A proxy clock ahead of ours must not keep a failure in the window longer.
        if (at > now)
        {
            at = now;
        }
        var failures = record.Failures.Where(failure => failure > since).ToList();
        if (at <= since)
        {
            return new Verdict(record with { Failures = failures, LastSeen = Later(record.LastSeen, now) }, null);
        }
        failures.Add(at);
        failures.Sort();
        if (failures.Count < ThresholdFor(record.Strikes))
        {
            return new Verdict(record with { Failures = failures, LastSeen = now }, null);
        }
        var strike = record.Strikes + 1;
        var ban = new BanDecision(strike, DurationOf(strike), failures.Count, _options.Window);
        return new Verdict(new IpRecord { Failures = [], Strikes = strike, LastSeen = now }, ban);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
