using Microsoft.Extensions.Options;

namespace K8shell.Shield.Detection;

/// <summary>
/// Which tracked addresses to forget: those idle for <c>IdleCleanup</c>, then, past <c>MaxIpState</c>, the least
/// recently seen. Recency is what matters: an address seen lately may be mid-attack or just banned, an old one has
/// gone away, and losing its strikes only means its next ban starts the schedule again.
/// </summary>
internal sealed class StateCleanup(IOptions<ShieldOptions> options)
{
    private readonly ShieldOptions _options = options.Value;

    /// <summary>The keys to drop among <paramref name="tracked"/> (key and last seen) at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> Select(IEnumerable<(string Key, DateTimeOffset LastSeen)> tracked, DateTimeOffset now)
    {
        var drop = new List<string>();
        var kept = new List<(string Key, DateTimeOffset LastSeen)>();
        foreach (var entry in tracked)
        {
            if (_options.IdleCleanup > TimeSpan.Zero && now - entry.LastSeen >= _options.IdleCleanup)
            {
                drop.Add(entry.Key);
            }
            else
            {
                kept.Add(entry);
            }
        }
        if (_options.MaxIpState > 0 && kept.Count > _options.MaxIpState)
        {
            drop.AddRange(kept.OrderBy(entry => entry.LastSeen).ThenBy(entry => entry.Key, StringComparer.Ordinal)
                .Take(kept.Count - _options.MaxIpState).Select(entry => entry.Key));
        }
        return drop;
    }
}
