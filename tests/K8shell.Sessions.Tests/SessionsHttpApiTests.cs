using System.Net;
using System.Text.Json;
using K8shell.Contracts.Sessions.V1;
using static K8shell.Sessions.Tests.SessionSamples;

namespace K8shell.Sessions.Tests;

public sealed class SessionsHttpApiOnSqlite(RunningRecordsOnSqlite records) : SessionsHttpApiTests(records), IClassFixture<RunningRecordsOnSqlite>;

public sealed class SessionsHttpApiOnPostgres(RunningRecordsOnPostgres records) : SessionsHttpApiTests(records), IClassFixture<RunningRecordsOnPostgres>;

/// <summary>GET /api/sessions and /api/sessions/{id} on the real process: the JSON the replay page reads, and every refusal.</summary>
public abstract class SessionsHttpApiTests(RunningRecords records)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly string[] SessionFields =
    [
        "sessionId", "username", "workspace", "blueprint", "client", "clientIp", "clientPort", "proxyId", "k8shelldVersion",
        "startTime", "endTime", "updatedAt", "bytesIn", "bytesOut", "operations", "recordings",
    ];

    private static readonly string[] RecordingFields = ["recordingId", "streamId", "kind", "format", "sizeBytes", "startedAt", "endedAt", "droppedBytes"];

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path, HttpClient? client = null)
    {
        using var response = await (client ?? records.Service.Http).GetAsync(path, Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        }
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<Session> UpsertAsync(Session session) =>
        await records.Service.Sessions.UpsertSessionAsync(new UpsertSessionRequest { Session = session }, cancellationToken: Cancellation);

    [Fact]
    public async Task A_session_is_json_with_every_field_in_camel_case_and_times_in_utc()
    {
        var id = Unique("proxy-a-77-zz");
        var user = Unique("alice");
        var stored = await UpsertAsync(New(id, user, At("2026-11-24T08:00:00.250Z")));
        var recording = new RecordingInfo
        {
            StreamId = $"sh-{id}-1", Kind = "shell", Format = "asciinema", SizeBytes = 4096, RecordingId = Unique("rec"),
            StartedAt = At("2026-11-24T08:00:01Z"), DroppedBytes = 3,
        };
        await StoredSessions.InsertRecordingAsync(records.Store, id, recording, user);

        var (status, session) = await GetAsync($"/api/sessions/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(SessionFields, session.EnumerateObject().Select(property => property.Name));
        Assert.Equal(id, session.GetProperty("sessionId").GetString());
        Assert.Equal(user, session.GetProperty("username").GetString());
        Assert.Equal($"{user}~dev", session.GetProperty("workspace").GetString());
        Assert.Equal("dev", session.GetProperty("blueprint").GetString());
        Assert.Equal("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", session.GetProperty("client").GetString());
        Assert.Equal("192.0.2.7", session.GetProperty("clientIp").GetString());
        Assert.Equal(50123, session.GetProperty("clientPort").GetInt32());
        Assert.Equal("proxy-a", session.GetProperty("proxyId").GetString());
        Assert.Equal("0.1.0", session.GetProperty("k8shelldVersion").GetString());
        Assert.Equal("2026-11-24T08:00:00.25Z", session.GetProperty("startTime").GetString());
        Assert.Equal(JsonValueKind.Null, session.GetProperty("endTime").ValueKind);
        Assert.Equal(stored.UpdatedAt.ToDateTime(), session.GetProperty("updatedAt").GetDateTime());
        Assert.EndsWith("Z", session.GetProperty("updatedAt").GetString());
        Assert.Equal((10ul, 20ul), (session.GetProperty("bytesIn").GetUInt64(), session.GetProperty("bytesOut").GetUInt64()));
        Assert.Equal(["pt", "sh"], session.GetProperty("operations").EnumerateArray().Select(code => code.GetString()));

        var made = Assert.Single(session.GetProperty("recordings").EnumerateArray().ToList());
        Assert.Equal(RecordingFields, made.EnumerateObject().Select(property => property.Name));
        Assert.Equal(recording.RecordingId, made.GetProperty("recordingId").GetString());
        Assert.Equal(recording.StreamId, made.GetProperty("streamId").GetString());
        Assert.Equal(("shell", "asciinema"), (made.GetProperty("kind").GetString(), made.GetProperty("format").GetString()));
        Assert.Equal((4096ul, 3ul), (made.GetProperty("sizeBytes").GetUInt64(), made.GetProperty("droppedBytes").GetUInt64()));
        Assert.Equal("2026-11-24T08:00:01Z", made.GetProperty("startedAt").GetString());
        Assert.Equal(JsonValueKind.Null, made.GetProperty("endedAt").ValueKind);
    }

    [Fact]
    public async Task The_list_is_a_page_with_the_total_and_takes_every_filter()
    {
        var user = Unique("bob");
        var ids = new List<string>();
        for (var hour = 0; hour < 4; hour++)
        {
            var session = await UpsertAsync(New(Unique($"s{hour}"), user, At($"2026-11-24T{10 + hour:00}:00:00Z")));
            ids.Add(session.SessionId);
        }
        await records.Service.Sessions.EndSessionAsync(new EndSessionRequest { SessionId = ids[0] }, cancellationToken: Cancellation);

        // The page as "total: id id …", which compares whole and reads well in a failure.
        static string Page(long total, IEnumerable<string?> ids) => $"{total}: {string.Join(' ', ids)}";
        async Task<string> ListAsync(string query)
        {
            var (status, body) = await GetAsync($"/api/sessions?user={user}&{query}");
            Assert.True(status == HttpStatusCode.OK, $"{query}: {status} {body}");
            Assert.Equal(["sessions", "total"], body.EnumerateObject().Select(property => property.Name));
            return Page(body.GetProperty("total").GetInt64(), body.GetProperty("sessions").EnumerateArray().Select(session => session.GetProperty("sessionId").GetString()));
        }

        Assert.Equal(Page(4, ids), await ListAsync(""));
        Assert.Equal(Page(4, [ids[3], ids[2]]), await ListAsync("limit=2&reverse=true"));
        Assert.Equal(Page(4, [ids[2]]), await ListAsync("limit=1&offset=2&reverse=false"));
        Assert.Equal(Page(1, [ids[0]]), await ListAsync("state=ended"));
        Assert.Equal(Page(3, ids[1..]), await ListAsync("state=active"));
        Assert.Equal(Page(4, ids), await ListAsync("state=any&limit=0"));
        Assert.Equal(Page(2, [ids[1], ids[2]]), await ListAsync("startedAfter=2026-11-24T11:00:00Z&startedBefore=2026-11-24T13:00:00Z"));
        Assert.Equal(Page(1, [ids[1]]), await ListAsync("startedAfter=2026-11-24T12:00:00%2B01:00&startedBefore=2026-11-24T12:00:00.001%2B01:00"));
        Assert.Equal(Page(1, [ids[3]]), await ListAsync($"workspace={user}~dev&startedAfter=2026-11-24T13:00:00Z"));
    }

    [Theory]
    [InlineData("state=open", "state is \"open\"; it must be any, active or ended")]
    [InlineData("limit=-1", "limit is \"-1\"; it must be a whole number from 0 to 4294967295")]
    [InlineData("limit=ten", "limit is \"ten\"; it must be a whole number from 0 to 4294967295")]
    [InlineData("offset=4294967296", "offset is \"4294967296\"; it must be a whole number from 0 to 4294967295")]
    [InlineData("reverse=yes", "reverse is \"yes\"; it must be true or false")]
    [InlineData("startedAfter=yesterday", "startedAfter is \"yesterday\"; it must be an ISO 8601 time such as 2026-11-24T09:30:00Z")]
    [InlineData("startedBefore=2026-13-01T00:00:00Z", "startedBefore is \"2026-13-01T00:00:00Z\"; it must be an ISO 8601 time such as 2026-11-24T09:30:00Z")]
    [InlineData("username=alice", "unknown parameter username; the parameters are user, workspace, state, startedAfter, startedBefore, limit, offset, reverse")]
    [InlineData("limit=1&limit=2", "limit is given 2 times; give it once")]
    public async Task A_bad_parameter_is_400_naming_it(string query, string error)
    {
        var (status, body) = await GetAsync($"/api/sessions?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal(["error"], body.EnumerateObject().Select(property => property.Name));
    }

    [Theory]
    [InlineData("no-such-session")]
    [InlineData("a%0Aline")]
    public async Task An_unknown_session_is_404(string id)
    {
        var (status, body) = await GetAsync($"/api/sessions/{id}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal($"there is no session {Uri.UnescapeDataString(id)}", body.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token")]
    public async Task Without_an_accepted_credential_the_api_is_401(string? token)
    {
        var id = (await UpsertAsync(New(Unique("s"), Unique("carol")))).SessionId;
        using var client = records.Service.Client(token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/api/sessions", client)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync($"/api/sessions/{id}", client)).Status);
    }
}
