using System.Text.RegularExpressions;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;
using static K8shell.Sessions.Tests.SessionSamples;

namespace K8shell.Sessions.Tests;

public sealed class SessionJanitorOnSqlite() : SessionJanitorTests(new SqliteRecords());

public sealed class SessionJanitorOnPostgres(RecordsPostgres postgres) : SessionJanitorTests(new PostgresRecords(postgres));

/// <summary>
/// The janitor in real Sessions processes with a fast interval: what it ends and when, and with several replicas on
/// one database, that one holds the lease at a time and every session is ended once.
/// </summary>
public abstract partial class SessionJanitorTests(RecordsStoreKind kind)
{
    private const long Minute = 60_000;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Rounds every 200 ms (so the lease lasts 600 ms), three sessions per batch, silent after 10 minutes.</summary>
    private static readonly Dictionary<string, string?> Fast = new()
    {
        ["Sessions:Janitor:Ttl"] = "00:10:00",
        ["Sessions:Janitor:Interval"] = "00:00:00.200",
        ["Sessions:Janitor:BatchSize"] = "3",
    };

    /// <summary><paramref name="count"/> sessions of a new user whose proxy last reported an hour ago (a minute apart).</summary>
    private static List<StoredSession> Silent(int count)
    {
        var user = Unique("idle");
        var hourAgo = StoredSessions.Now - 60 * Minute;
        return [.. Enumerable.Range(0, count).Select(i => new StoredSession($"{user}-{i}", user, "ws", hourAgo - Minute, null, hourAgo + i * Minute))];
    }

    private static async Task<bool> AllEndedAsync(RecordsService sessions, string user) =>
        (await sessions.Sessions.GetSessionsAsync(new GetSessionsRequest { Username = user, State = GetSessionsRequest.Types.State.Active },
            cancellationToken: Cancellation)).Total == 0;

    [Fact]
    public async Task Sessions_silent_for_longer_than_the_ttl_end_at_their_last_report_in_batches_and_nothing_else_ends()
    {
        using var store = await kind.NewStoreAsync();
        await using var sessions = await RecordsService.StartAsync(store, Fast);
        var live = await sessions.Sessions.UpsertSessionAsync(new UpsertSessionRequest { Session = New(Unique("live"), Unique("alice")) }, cancellationToken: Cancellation);
        var silent = Silent(7);
        var user = silent[0].Username;
        var now = StoredSessions.Now;
        StoredSession quiet = new($"{user}-quiet", user, "ws", now - 60 * Minute, null, now - 8 * Minute);
        StoredSession ended = new($"{user}-ended", user, "ws", now - 120 * Minute, now - 100 * Minute, now - 100 * Minute);
        await StoredSessions.InsertAsync(store, [.. silent, quiet, ended]);

        Assert.True(await Eventually.WaitAsync(() => sessions.EndedByJanitor >= 7, Patience, Cancellation), sessions.Child.Output);

        // All seven in one round of three batches (3 + 3 + 1): they went in with one statement.
        Assert.Contains("Session janitor ended 7 sessions", sessions.Child.Output);
        foreach (var row in silent)
        {
            var session = await sessions.Sessions.GetSessionAsync(new GetSessionRequest { SessionId = row.SessionId }, cancellationToken: Cancellation);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt).UtcDateTime, session.EndTime?.ToDateTime());
        }
        var others = await sessions.Sessions.GetSessionsAsync(new GetSessionsRequest { Username = user, State = GetSessionsRequest.Types.State.Active },
            cancellationToken: Cancellation);
        Assert.Equal([quiet.SessionId], others.Sessions.Select(session => session.SessionId));
        var stillEnded = await sessions.Sessions.GetSessionAsync(new GetSessionRequest { SessionId = ended.SessionId }, cancellationToken: Cancellation);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(ended.EndTime!.Value).UtcDateTime, stillEnded.EndTime.ToDateTime());
        var stillLive = await sessions.Sessions.GetSessionAsync(new GetSessionRequest { SessionId = live.SessionId }, cancellationToken: Cancellation);
        Assert.Null(stillLive.EndTime);
        Assert.Equal(7, sessions.EndedByJanitor);
    }

    [Fact]
    public async Task Of_two_replicas_one_holds_the_lease_at_a_time_and_every_session_is_ended_once()
    {
        using var store = await kind.NewStoreAsync();
        // Started together, so both race for the lease from their first round.
        var starting = new[] { RecordsService.StartAsync(store, Fast), RecordsService.StartAsync(store, Fast) };
        await using var first = await starting[0];
        await using var second = await starting[1];
        RecordsService[] both = [first, second];
        Assert.True(await Eventually.WaitAsync(() => both.Any(replica => TookLease(replica) is not null), Patience, Cancellation),
            string.Join("\n----\n", both.Select(replica => replica.Child.Output)));
        var holder = both.Single(replica => TookLease(replica) is not null);
        var other = both.Single(replica => replica != holder);

        // Five waves of silent sessions, each ended before the next comes: many rounds in which the other could have run.
        for (var wave = 1; wave <= 5; wave++)
        {
            var silent = Silent(4);
            await StoredSessions.InsertAsync(store, silent);
            Assert.True(await Eventually.WaitAsync(() => AllEndedAsync(holder, silent[0].Username), Patience, Cancellation), holder.Child.Output);
            // The log line that counts them may come a moment after the rows changed.
            await Eventually.WaitAsync(() => holder.EndedByJanitor >= 4 * wave, Patience, Cancellation);
            Assert.Equal(4 * wave, holder.EndedByJanitor);
        }
        Assert.Null(TookLease(other));
        Assert.Equal(0, other.EndedByJanitor);
        Assert.Equal(TookLease(holder), await LeaseHolderAsync(store));

        // Stopped as Kubernetes stops a pod, the holder gives the lease up; the other takes it at its next round.
        Assert.Equal(0, await holder.Child.StopAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("Gave up the session-janitor lease", holder.Child.Output);
        var more = Silent(5);
        await StoredSessions.InsertAsync(store, more);
        Assert.True(await Eventually.WaitAsync(() => AllEndedAsync(other, more[0].Username), Patience, Cancellation), other.Child.Output);
        await Eventually.WaitAsync(() => other.EndedByJanitor >= 5, Patience, Cancellation);
        Assert.Equal((20, 5), (holder.EndedByJanitor, other.EndedByJanitor));
        Assert.Equal(TookLease(other), await LeaseHolderAsync(store));
    }

    [Fact]
    public async Task When_the_holder_dies_another_replica_takes_the_lease_once_it_expires()
    {
        using var store = await kind.NewStoreAsync();
        var holder = await RecordsService.StartAsync(store, Fast);
        try
        {
            Assert.True(await Eventually.WaitAsync(() => TookLease(holder) is not null, Patience, Cancellation), holder.Child.Output);
            await using var other = await RecordsService.StartAsync(store, Fast);

            // SIGKILL: no chance to give the lease up, so the other waits for it to expire.
            await holder.DisposeAsync();
            Assert.True(await Eventually.WaitAsync(() => TookLease(other) is not null, Patience, Cancellation), other.Child.Output);

            var silent = Silent(4);
            await StoredSessions.InsertAsync(store, silent);
            Assert.True(await Eventually.WaitAsync(() => AllEndedAsync(other, silent[0].Username), Patience, Cancellation), other.Child.Output);
            await Eventually.WaitAsync(() => other.EndedByJanitor >= 4, Patience, Cancellation);
            Assert.Equal(4, other.EndedByJanitor);
            Assert.Equal(TookLease(other), await LeaseHolderAsync(store));
        }
        finally
        {
            await holder.DisposeAsync();
        }
    }

    /// <summary>The holder ID a replica logged when it took the janitor's lease, or null if it never did.</summary>
    private static string? TookLease(RecordsService replica) =>
        TookJanitorLease().Match(replica.Child.Output) is { Success: true } match ? match.Groups[1].Value : null;

    private static async Task<string?> LeaseHolderAsync(RecordsStore store)
    {
        await using var database = store.Open();
        await using var command = database.Command("SELECT holder FROM leases WHERE name = 'session-janitor'");
        return (string?)await command.ExecuteScalarAsync(Cancellation);
    }

    [GeneratedRegex(@"Took the session-janitor lease as (\S+)")]
    private static partial Regex TookJanitorLease();
}
