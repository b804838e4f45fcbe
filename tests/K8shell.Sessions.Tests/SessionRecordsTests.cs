using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using static K8shell.Sessions.Tests.SessionSamples;

namespace K8shell.Sessions.Tests;

public sealed class SessionRecordsOnSqlite(RunningRecordsOnSqlite records) : SessionRecordsTests(records), IClassFixture<RunningRecordsOnSqlite>;

public sealed class SessionRecordsOnPostgres(RunningRecordsOnPostgres records) : SessionRecordsTests(records), IClassFixture<RunningRecordsOnPostgres>;

/// <summary>SessionService round trips against the real process: what an upsert, an end and a read do to a record.</summary>
public abstract class SessionRecordsTests(RunningRecords records)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private SessionService.SessionServiceClient Client => records.Service.Sessions;

    private Task<Session> UpsertAsync(Session session) => Client.UpsertSessionAsync(new UpsertSessionRequest { Session = session }, cancellationToken: Cancellation).ResponseAsync;

    private Task<Session> GetAsync(string id) => Client.GetSessionAsync(new GetSessionRequest { SessionId = id }, cancellationToken: Cancellation).ResponseAsync;

    [Fact]
    public async Task An_upsert_inserts_then_updates_and_the_start_time_stays_the_first_one()
    {
        var id = Unique("proxy-a-4242-xy");
        var user = Unique("alice");
        var before = Now();
        var first = await UpsertAsync(New(id, user, At("2026-11-24T08:00:00.123Z")));

        var expected = New(id, user, At("2026-11-24T08:00:00.123Z"));
        expected.Operations.Clear();
        expected.Operations.Add(["pt", "sh"]);
        expected.UpdatedAt = first.UpdatedAt;
        Assert.Equal(expected, first);
        Assert.True(first.UpdatedAt >= before, $"updated_at {first.UpdatedAt} is before the call at {before}");

        var report = New(id, user, At("2026-11-24T09:00:00Z"));
        report.BytesIn = 1000;
        report.BytesOut = 2000;
        report.Operations.Add(["ex", "sh", "sf"]);
        report.ClientIp = "198.51.100.9";
        var second = await UpsertAsync(report);

        Assert.Equal(At("2026-11-24T08:00:00.123Z"), second.StartTime);
        Assert.Equal((1000ul, 2000ul, "198.51.100.9"), (second.BytesIn, second.BytesOut, second.ClientIp));
        Assert.Equal(["ex", "pt", "sf", "sh"], second.Operations);
        Assert.True(second.UpdatedAt >= first.UpdatedAt, $"updated_at went from {first.UpdatedAt} back to {second.UpdatedAt}");
        Assert.Null(second.EndTime);
        Assert.Equal(second, await GetAsync(id));
    }

    [Fact]
    public async Task An_upsert_without_a_start_time_starts_the_session_now()
    {
        var before = Now();
        var session = await UpsertAsync(New(Unique("s"), Unique("bob")));
        var after = Now();

        Assert.InRange(session.StartTime.ToDateTime(), before.ToDateTime(), after.ToDateTime());
        Assert.Equal(session.StartTime, session.UpdatedAt);
    }

    [Fact]
    public async Task A_late_report_with_smaller_counters_or_fewer_fields_undoes_nothing()
    {
        var id = Unique("s");
        var user = Unique("carol");
        var full = New(id, user);
        full.BytesIn = 5000;
        full.BytesOut = 7000;
        full.Operations.Add("pf");
        await UpsertAsync(full);

        var late = new Session { SessionId = id, Username = user, BytesIn = 100, BytesOut = 9000, Operations = { "ex" } };
        var merged = await UpsertAsync(late);

        Assert.Equal((5000ul, 9000ul), (merged.BytesIn, merged.BytesOut));
        Assert.Equal(["ex", "pf", "pt", "sh"], merged.Operations);
        Assert.Equal((full.Workspace, full.Blueprint, full.Client, full.ClientIp, full.ClientPort, full.ProxyId, full.K8ShelldVer),
            (merged.Workspace, merged.Blueprint, merged.Client, merged.ClientIp, merged.ClientPort, merged.ProxyId, merged.K8ShelldVer));
    }

    [Fact]
    public async Task Concurrent_reports_of_a_new_session_make_one_record_with_all_they_said()
    {
        var id = Unique("s");
        var user = Unique("heidi");
        string[] codes = ["sh", "pt", "ex", "sf", "pf", "ux", "af"];
        var reports = Enumerable.Range(1, 21).Select(i =>
        {
            var report = New(id, user, At($"2026-11-24T08:00:{i:00}Z"));
            report.BytesIn = (ulong)i * 100;
            report.BytesOut = (ulong)(22 - i) * 100;
            report.Operations.Clear();
            report.Operations.Add(codes[i % codes.Length]);
            return report;
        }).ToList();

        var answers = await Task.WhenAll(reports.Select(UpsertAsync));

        var stored = await GetAsync(id);
        // Whichever report went in first set the start; every later one kept it.
        Assert.Contains(stored.StartTime, reports.Select(report => report.StartTime));
        Assert.All(answers, answer => Assert.Equal(stored.StartTime, answer.StartTime));
        Assert.Equal((2100ul, 2100ul), (stored.BytesIn, stored.BytesOut));
        Assert.Equal(codes.Order(StringComparer.Ordinal), stored.Operations);
        var listed = await Client.GetSessionsAsync(new GetSessionsRequest { Username = user }, cancellationToken: Cancellation);
        Assert.Equal(1ul, listed.Total);
    }

    [Fact]
    public async Task An_end_sets_the_end_time_and_final_counters_once_and_the_record_is_immutable_afterwards()
    {
        var id = Unique("s");
        var user = Unique("dave");
        await UpsertAsync(New(id, user, At("2026-11-24T08:00:00Z")));

        var ended = await Client.EndSessionAsync(new EndSessionRequest
        {
            SessionId = id, EndTime = At("2026-11-24T08:30:00.500Z"), BytesIn = 4096, BytesOut = 8192, Operations = { "sf" },
        }, cancellationToken: Cancellation);

        Assert.Equal(At("2026-11-24T08:30:00.500Z"), ended.EndTime);
        Assert.Equal((4096ul, 8192ul), (ended.BytesIn, ended.BytesOut));
        Assert.Equal(["pt", "sf", "sh"], ended.Operations);

        var again = await Client.EndSessionAsync(new EndSessionRequest
        {
            SessionId = id, EndTime = At("2026-11-24T09:00:00Z"), BytesIn = 1 << 20, BytesOut = 1 << 20, Operations = { "ex" },
        }, cancellationToken: Cancellation);
        Assert.Equal(ended, again);

        var refused = await Assert.ThrowsAsync<RpcException>(() => UpsertAsync(New(id, user)));
        Assert.Equal((StatusCode.FailedPrecondition, $"session {id} has ended"), (refused.StatusCode, refused.Status.Detail));
        Assert.Equal(ended, await GetAsync(id));
    }

    [Fact]
    public async Task An_end_without_a_time_ends_the_session_now()
    {
        var id = Unique("s");
        await UpsertAsync(New(id, Unique("erin")));
        var before = Now();

        var ended = await Client.EndSessionAsync(new EndSessionRequest { SessionId = id }, cancellationToken: Cancellation);

        Assert.InRange(ended.EndTime.ToDateTime(), before.ToDateTime(), Now().ToDateTime());
        Assert.Equal((10ul, 20ul), (ended.BytesIn, ended.BytesOut));
    }

    [Fact]
    public async Task Unknown_sessions_are_not_found()
    {
        var id = Unique("nobody");

        var get = await Assert.ThrowsAsync<RpcException>(() => GetAsync(id));
        var end = await Assert.ThrowsAsync<RpcException>(() => Client.EndSessionAsync(new EndSessionRequest { SessionId = id }, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal((StatusCode.NotFound, $"there is no session {id}"), (get.StatusCode, get.Status.Detail));
        Assert.Equal((StatusCode.NotFound, $"there is no session {id}"), (end.StatusCode, end.Status.Detail));
    }

    [Fact]
    public async Task A_session_cannot_change_hands()
    {
        var id = Unique("s");
        var owner = Unique("frank");
        await UpsertAsync(New(id, owner));

        var refused = await Assert.ThrowsAsync<RpcException>(() => UpsertAsync(New(id, "mallory")));

        Assert.Equal((StatusCode.FailedPrecondition, $"session {id} belongs to user {owner}, not mallory"), (refused.StatusCode, refused.Status.Detail));
        Assert.Equal(owner, (await GetAsync(id)).Username);
    }

    [Fact]
    public async Task A_session_lists_its_recordings_oldest_first()
    {
        var id = Unique("s");
        var user = Unique("grace");
        await UpsertAsync(New(id, user));
        var exec = new RecordingInfo
        {
            StreamId = $"ex-{id}-2", Kind = "exec", Format = "asciinema", SizeBytes = 512, RecordingId = Unique("rec"),
            StartedAt = At("2026-11-24T08:05:00Z"), EndedAt = At("2026-11-24T08:06:00Z"),
        };
        var shell = new RecordingInfo
        {
            StreamId = $"sh-{id}-1", Kind = "shell", Format = "asciinema", SizeBytes = 4096, RecordingId = Unique("rec"),
            StartedAt = At("2026-11-24T08:00:00Z"), DroppedBytes = 17,
        };
        await StoredSessions.InsertRecordingAsync(records.Store, id, exec, user);
        await StoredSessions.InsertRecordingAsync(records.Store, id, shell, user);

        Assert.Equal([shell, exec], (await GetAsync(id)).Recordings);
        var listed = await Client.GetSessionsAsync(new GetSessionsRequest { Username = user }, cancellationToken: Cancellation);
        Assert.Equal([shell, exec], Assert.Single(listed.Sessions).Recordings);
        var ended = await Client.EndSessionAsync(new EndSessionRequest { SessionId = id }, cancellationToken: Cancellation);
        Assert.Equal([shell, exec], ended.Recordings);
    }

    [Fact]
    public async Task Callers_without_an_accepted_credential_are_unauthenticated()
    {
        foreach (var token in new[] { null, "not-the-token" })
        {
            using var channel = records.Service.ChannelWith(token);
            var client = new SessionService.SessionServiceClient(channel);

            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                client.UpsertSessionAsync(new UpsertSessionRequest { Session = New(Unique("s"), "alice") }, cancellationToken: Cancellation).ResponseAsync);
            var read = await Assert.ThrowsAsync<RpcException>(() =>
                client.GetSessionsAsync(new GetSessionsRequest(), cancellationToken: Cancellation).ResponseAsync);

            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Equal(StatusCode.Unauthenticated, read.StatusCode);
        }
    }
}
