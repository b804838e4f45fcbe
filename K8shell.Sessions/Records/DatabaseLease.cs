using K8shell.Database;

namespace K8shell.Sessions.Records;

/// <summary>
/// A named lease in the <c>leases</c> table, so that of several replicas sharing a database only one does a
/// periodic job at a time. Taking it is one atomic statement (it is free, expired, or already ours), so two
/// replicas cannot both win; the holder renews it each round and gives it up when it stops. Expiry is judged
/// by each replica's own clock: keep replicas' clocks within a fraction of <see cref="Duration"/>.
/// </summary>
internal sealed class DatabaseLease(ServiceDatabase database, TimeProvider time, string name, TimeSpan duration)
{
    /// <summary>This process among the replicas: host, process ID and a random part, as pids repeat across containers.</summary>
    public static string ThisProcess { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public string Name => name;

    public TimeSpan Duration => duration;

    /// <summary>Takes or renews the lease for <see cref="Duration"/> from now; whether this process holds it.</summary>
    public async Task<bool> TryTakeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        (string, object?)[] parameters =
        [
            ("name", name), ("holder", ThisProcess), ("now", now.ToUnixTimeMilliseconds()), ("expires_at", (now + duration).ToUnixTimeMilliseconds()),
        ];
        await using (var renew = database.Command(
            "UPDATE leases SET holder = @holder, expires_at = @expires_at WHERE name = @name AND (expires_at < @now OR holder = @holder)",
            parameters))
        {
            if (await renew.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                return true;
            }
        }
        // No row yet (the first round ever), or someone else's that has not expired: only the first case inserts.
        await using var create = database.Command(
            "INSERT INTO leases (name, holder, expires_at) VALUES (@name, @holder, @expires_at) ON CONFLICT (name) DO NOTHING",
            parameters);
        return await create.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Gives the lease up if this process holds it, so another replica need not wait for it to expire.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await using var release = database.Command("UPDATE leases SET expires_at = 0 WHERE name = @name AND holder = @holder",
            ("name", name), ("holder", ThisProcess));
        await release.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Leases for periodic jobs, each lasting three of the job's intervals.</summary>
internal sealed class DatabaseLeases(ServiceDatabase database, TimeProvider time)
{
    /// <summary>
    /// Three intervals: a holder that misses a round or two (a pause, a slow database) keeps its lease, and one that
    /// died is replaced within three.
    /// </summary>
    public DatabaseLease For(string name, TimeSpan interval) => new(database, time, name, interval * 3);
}
