using K8shell.Contracts.Sessions.V1;
using static K8shell.Sessions.Tests.SessionSamples;
using State = K8shell.Contracts.Sessions.V1.GetSessionsRequest.Types.State;

namespace K8shell.Sessions.Tests;

public sealed class SessionQueryOnSqlite(RunningRecordsOnSqlite records) : SessionQueryTests(records), IClassFixture<RunningRecordsOnSqlite>;

public sealed class SessionQueryOnPostgres(RunningRecordsOnPostgres records) : SessionQueryTests(records), IClassFixture<RunningRecordsOnPostgres>;

/// <summary>GetSessions: every filter, paging, order and the total, on sessions made through the API.</summary>
public abstract class SessionQueryTests(RunningRecords records)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private SessionService.SessionServiceClient Client => records.Service.Sessions;

    /// <summary>
    /// Six sessions of one new user, an hour apart from 08:00, alternately in workspaces "a" and "b"; the even ones
    /// (08:00, 10:00, 12:00) ended. Returns their IDs oldest first and the user.
    /// </summary>
    private async Task<(List<string> Ids, string User)> SixSessionsAsync()
    {
        var user = Unique("quinn");
        var ids = new List<string>();
        for (var hour = 0; hour < 6; hour++)
        {
            var session = New(Unique($"s{hour}"), user, At($"2026-11-24T{8 + hour:00}:00:00Z"));
            session.Workspace = hour % 2 == 0 ? $"{user}~a" : $"{user}~b";
            await Client.UpsertSessionAsync(new UpsertSessionRequest { Session = session }, cancellationToken: Cancellation);
            if (hour % 2 == 0)
            {
                await Client.EndSessionAsync(new EndSessionRequest { SessionId = session.SessionId }, cancellationToken: Cancellation);
            }
            ids.Add(session.SessionId);
        }
        return (ids, user);
    }

    /// <summary>The page as "total: id id …", which compares whole and reads well in a failure.</summary>
    private async Task<string> QueryAsync(GetSessionsRequest request)
    {
        var response = await Client.GetSessionsAsync(request, cancellationToken: Cancellation);
        return Page(response.Total, response.Sessions.Select(session => session.SessionId));
    }

    private static string Page(ulong total, IEnumerable<string> ids) => $"{total}: {string.Join(' ', ids)}";

    [Fact]
    public async Task Sessions_come_oldest_first_or_newest_first_with_their_total()
    {
        var (ids, user) = await SixSessionsAsync();

        Assert.Equal(Page(6, ids), await QueryAsync(new GetSessionsRequest { Username = user }));
        Assert.Equal(Page(6, Enumerable.Reverse(ids).ToList()), await QueryAsync(new GetSessionsRequest { Username = user, Reverse = true }));
    }

    [Fact]
    public async Task Pages_follow_each_other_and_the_total_ignores_limit_and_offset()
    {
        var (ids, user) = await SixSessionsAsync();

        Assert.Equal(Page(6, ids[..4]), await QueryAsync(new GetSessionsRequest { Username = user, Limit = 4 }));
        Assert.Equal(Page(6, ids[4..]), await QueryAsync(new GetSessionsRequest { Username = user, Limit = 4, Offset = 4 }));
        Assert.Equal(Page(6, []), await QueryAsync(new GetSessionsRequest { Username = user, Limit = 4, Offset = 8 }));
        Assert.Equal(Page(6, [ids[3], ids[2]]), await QueryAsync(new GetSessionsRequest { Username = user, Limit = 2, Offset = 2, Reverse = true }));
    }

    [Fact]
    public async Task Filters_by_workspace_state_and_start_time_combine()
    {
        var (ids, user) = await SixSessionsAsync();

        Assert.Equal(Page(3, [ids[1], ids[3], ids[5]]), await QueryAsync(new GetSessionsRequest { Workspace = $"{user}~b" }));
        Assert.Equal(Page(3, [ids[1], ids[3], ids[5]]), await QueryAsync(new GetSessionsRequest { Username = user, State = State.Active }));
        Assert.Equal(Page(3, [ids[0], ids[2], ids[4]]), await QueryAsync(new GetSessionsRequest { Username = user, State = State.Ended }));
        Assert.Equal(Page(6, ids), await QueryAsync(new GetSessionsRequest { Username = user, State = State.Any }));
        // started_after is inclusive, started_before exclusive: 09:00 up to (not including) 12:00.
        Assert.Equal(Page(3, ids[1..4]), await QueryAsync(new GetSessionsRequest
        {
            Username = user, StartedAfter = At("2026-11-24T09:00:00Z"), StartedBefore = At("2026-11-24T12:00:00Z"),
        }));
        Assert.Equal(Page(1, [ids[2]]), await QueryAsync(new GetSessionsRequest
        {
            Workspace = $"{user}~a", State = State.Ended, StartedAfter = At("2026-11-24T09:00:00Z"), StartedBefore = At("2026-11-24T12:00:00Z"),
        }));
        Assert.Equal(Page(0, []), await QueryAsync(new GetSessionsRequest { Username = user, Workspace = $"{Unique("other")}~a" }));
    }

    [Fact]
    public async Task A_page_is_100_sessions_by_default_and_1000_at_most()
    {
        var user = Unique("many");
        var start = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var rows = Enumerable.Range(0, 1005)
            .Select(i => new StoredSession($"{user}-{i:0000}", user, "ws", start + i * 1000L, null, StoredSessions.Now)).ToList();
        await StoredSessions.InsertAsync(records.Store, rows);

        var byDefault = await QueryAsync(new GetSessionsRequest { Username = user });
        var capped = await QueryAsync(new GetSessionsRequest { Username = user, Limit = 5000 });

        Assert.Equal(Page(1005, rows.Take(100).Select(row => row.SessionId)), byDefault);
        Assert.Equal(Page(1005, rows.Take(1000).Select(row => row.SessionId)), capped);
    }
}
