using System.Net;
using System.Text.Json;
using K8shell.ServiceDefaults.Nats;
using K8shell.Shield.Detection;

namespace K8shell.Shield.State;

/// <summary>
/// Per-address records in the shared KV bucket, changed only by revision-checked writes: two replicas counting
/// failures of one address at once both read revision r, one write wins, the other fails and counts again on top of
/// the winner's record. So replicas agree without a lock, and no failure or strike is lost.
/// A ban the count earns is issued before the record that says so is written: if the ban cannot be written, the
/// record stays as it was and the event, delivered again, earns it again (ban writes are idempotent). Written the
/// other way round, a redelivered event would find the strike already taken and the ban would never be issued.
/// </summary>
internal sealed class ShieldState(ShieldBuckets buckets, FailureDetector detector, StateCleanup cleanup)
{
    /// <summary>Conflicts come from replicas racing on one address; this many in a row means something else is wrong.</summary>
    private const int MaxAttempts = 20;

    /// <summary>
    /// Counts a failure of <paramref name="address"/> (at <paramref name="at"/>, seen <paramref name="now"/>), has
    /// <paramref name="issue"/> put the ban it earns into effect, and stores the outcome.
    /// </summary>
    public async Task CountAsync(IPAddress address, DateTimeOffset at, DateTimeOffset now,
        Func<BanDecision, CancellationToken, Task> issue, CancellationToken cancellationToken)
    {
        var store = await buckets.StateAsync(cancellationToken);
        var key = BanEntry.KeyFor(address);
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.TryGetEntryAsync<byte[]>(key, cancellationToken: cancellationToken);
            var record = current.Success && current.Value.Value is { } bytes ? Read(bytes) : null;
            var verdict = detector.Count(record, at, now);
            if (verdict.Ban is { } ban)
            {
                await issue(ban, cancellationToken);
            }
            // A missing or deleted key is created (NATS.Net's create also takes over a delete marker); an existing one is
            // updated only if nobody wrote it since we read it.
            var written = current.Success
                ? await store.TryUpdateAsync(key, verdict.Record.ToJson(), current.Value.Revision, cancellationToken: cancellationToken)
                : await store.TryCreateAsync(key, verdict.Record.ToJson(), cancellationToken: cancellationToken);
            if (written.Success)
            {
                return;
            }
            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException($"The record of {address} kept changing under {MaxAttempts} attempts to count a failure.", written.Error);
            }
        }
    }

    /// <summary>The stored record of <paramref name="address"/>, or null.</summary>
    public async Task<IpRecord?> GetAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var store = await buckets.StateAsync(cancellationToken);
        var entry = await store.TryGetEntryAsync<byte[]>(BanEntry.KeyFor(address), cancellationToken: cancellationToken);
        return entry.Success && entry.Value.Value is { } bytes ? Read(bytes) : null;
    }

    /// <summary>Drops idle and surplus records (see <see cref="StateCleanup"/>); how many went.</summary>
    public async Task<int> CollectAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var store = await buckets.StateAsync(cancellationToken);
        var tracked = new List<(string Key, DateTimeOffset LastSeen)>();
        var revisions = new Dictionary<string, ulong>(StringComparer.Ordinal);
        await foreach (var key in store.GetKeysAsync(cancellationToken: cancellationToken))
        {
            var entry = await store.TryGetEntryAsync<byte[]>(key, cancellationToken: cancellationToken);
            if (entry.Success)
            {
                // An unreadable record counts as never seen: it goes first.
                tracked.Add((key, entry.Value.Value is { } bytes ? Read(bytes)?.LastSeen ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue));
                revisions[key] = entry.Value.Revision;
            }
        }
        var dropped = 0;
        foreach (var key in cleanup.Select(tracked, now))
        {
            // Revision-checked: a record counted meanwhile (by any replica) is not idle any more and stays.
            var deleted = await store.TryDeleteAsync(key, new() { Revision = revisions[key] }, cancellationToken);
            if (deleted.Success)
            {
                dropped++;
            }
        }
        return dropped;
    }

    /// <summary>A record another version wrote in a form this one cannot read starts over rather than blocking the address's events.</summary>
    private static IpRecord? Read(byte[] bytes)
    {
        try
        {
            return IpRecord.FromJson(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
