using K8shell.Testing;
using static K8shell.Sessions.Tests.SessionSamples;

namespace K8shell.Sessions.Tests;

public sealed class SessionRetentionOnSqlite() : SessionRetentionTests(new SqliteRecords());

public sealed class SessionRetentionOnPostgres(RecordsPostgres postgres) : SessionRetentionTests(new PostgresRecords(postgres));

/// <summary>Retention in the real process: sessions that ended longer ago than the max age go, in batches; nothing else does.</summary>
public abstract class SessionRetentionTests(RecordsStoreKind kind)
{
    private const long Hour = 3_600_000;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sessions_that_ended_before_the_max_age_are_deleted_in_batches_and_the_rest_kept()
    {
        using var store = await kind.NewStoreAsync();
        await using var sessions = await RecordsService.StartAsync(store, new Dictionary<string, string?>
        {
            ["Sessions:Retention:MaxAge"] = "1.00:00:00",
            ["Sessions:Retention:Interval"] = "00:00:00.200",
            ["Sessions:Retention:BatchSize"] = "2",
        });
        var user = Unique("old");
        var now = StoredSessions.Now;
        var old = Enumerable.Range(0, 5).Select(i => new StoredSession($"{user}-old-{i}", user, "ws", now - 50 * Hour, now - 25 * Hour - i, now - 25 * Hour)).ToList();
        StoredSession recent = new($"{user}-recent", user, "ws", now - 50 * Hour, now - 23 * Hour, now - 23 * Hour);
        StoredSession longRunning = new($"{user}-active", user, "ws", now - 72 * Hour, null, now);
        await StoredSessions.InsertAsync(store, [.. old, recent, longRunning]);

        Assert.True(await Eventually.WaitAsync(() => sessions.Child.Output.Contains("Retention deleted"), TimeSpan.FromSeconds(30), Cancellation),
            sessions.Child.Output);

        // All five in one round of three batches (2 + 2 + 1): they went in with one statement.
        Assert.Contains("Retention deleted 5 ended sessions that ended before", sessions.Child.Output);
        var kept = await StoredSessions.ExistingAsync(store, [.. old.Select(row => row.SessionId), recent.SessionId, longRunning.SessionId]);
        Assert.Equal([longRunning.SessionId, recent.SessionId], kept.Order());
    }

    [Fact]
    public async Task A_max_age_of_zero_keeps_everything()
    {
        using var store = await kind.NewStoreAsync();
        await using var sessions = await RecordsService.StartAsync(store, new Dictionary<string, string?>
        {
            ["Sessions:Retention:MaxAge"] = "00:00:00",
            ["Sessions:Retention:Interval"] = "00:00:00.200",
        });
        var user = Unique("ancient");
        var now = StoredSessions.Now;
        await StoredSessions.InsertAsync(store, [new($"{user}-1", user, "ws", now - 5000 * Hour, now - 4000 * Hour, now - 4000 * Hour)]);

        Assert.Contains("Retention is off (Sessions:Retention:MaxAge is 0): ended sessions and recordings are kept", sessions.Child.Output);
        Assert.DoesNotContain("session-retention lease", sessions.Child.Output);
        Assert.Equal([$"{user}-1"], await StoredSessions.ExistingAsync(store, [$"{user}-1"]));
    }
}
