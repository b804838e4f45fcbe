using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using static K8shell.Sessions.Tests.SessionSamples;

namespace K8shell.Sessions.Tests;

public sealed class SessionRecordsBadInputOnSqlite(RunningRecordsOnSqlite records) : SessionRecordsBadInputTests(records), IClassFixture<RunningRecordsOnSqlite>;

public sealed class SessionRecordsBadInputOnPostgres(RunningRecordsOnPostgres records) : SessionRecordsBadInputTests(records), IClassFixture<RunningRecordsOnPostgres>;

/// <summary>Every request SessionService refuses: the precise status and message, and nothing written.</summary>
public abstract class SessionRecordsBadInputTests(RunningRecords records)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private SessionService.SessionServiceClient Client => records.Service.Sessions;

    /// <summary>A bad upsert: how the valid first report is spoiled, and the message the refusal must carry.</summary>
    private static readonly Dictionary<string, (Action<Session> Spoil, string Message)> BadUpserts = new()
    {
        ["no session id"] = (session => session.SessionId = "", "session.session_id is required"),
        ["a session id of 129 characters"] = (session => session.SessionId = new string('s', 129), "session.session_id is 129 characters long; at most 128 are allowed"),
        ["a session id with a newline"] = (session => session.SessionId += "\nforged log line", "session.session_id contains a control character"),
        ["a session id with DEL"] = (session => session.SessionId += "\u007f", "session.session_id contains a control character"),
        ["no username"] = (session => session.Username = "", "session.username is required"),
        ["a username with an escape"] = (session => session.Username = "ali\u001bce", "session.username contains a control character"),
        ["an unknown operation"] = (session => session.Operations.Add("rm"), "session.operations: \"rm\" is not an operation code (sh pt ex sf pf ux af)"),
        ["an operation in capitals"] = (session => session.Operations.Add("SH"), "session.operations: \"SH\" is not an operation code (sh pt ex sf pf ux af)"),
        ["an end time"] = (session => session.EndTime = At("2026-11-24T10:00:00Z"), "session.end_time must not be set: a session ends through EndSession"),
        ["a port above 65535"] = (session => session.ClientPort = 65536, "session.client_port is 65536; a port is at most 65535"),
        ["bytes in beyond 2^63-1"] = (session => session.BytesIn = ulong.MaxValue,
            $"session.bytes_in is {ulong.MaxValue}; at most {long.MaxValue} bytes can be recorded"),
        ["bytes out beyond 2^63-1"] = (session => session.BytesOut = 1ul << 63,
            $"session.bytes_out is {1ul << 63}; at most {long.MaxValue} bytes can be recorded"),
        ["a start time with nanos out of range"] = (session => session.StartTime = new Timestamp { Seconds = 1, Nanos = 1_000_000_000 },
            "session.start_time is not a valid time (seconds 1, nanos 1000000000)"),
        ["a start time after the year 9999"] = (session => session.StartTime = new Timestamp { Seconds = 253402300800 },
            "session.start_time is not a valid time (seconds 253402300800, nanos 0)"),
    };

    public static TheoryData<string> BadUpsertCases => [.. BadUpserts.Keys];

    [Theory]
    [MemberData(nameof(BadUpsertCases))]
    public async Task A_bad_upsert_is_invalid_argument_and_writes_nothing(string spoiled)
    {
        var (spoil, message) = BadUpserts[spoiled];
        var session = New(Unique("s"), Unique("alice"));
        var workspace = session.Workspace;
        spoil(session);

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UpsertSessionAsync(new UpsertSessionRequest { Session = session }, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, message), (refused.StatusCode, refused.Status.Detail));
        // By the workspace, which no spoiling touches and no other test uses.
        var listed = await Client.GetSessionsAsync(new GetSessionsRequest { Workspace = workspace }, cancellationToken: Cancellation);
        Assert.Equal(0ul, listed.Total);
    }

    [Fact]
    public async Task An_upsert_without_a_session_is_invalid_argument()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            Client.UpsertSessionAsync(new UpsertSessionRequest(), cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "session is required"), (refused.StatusCode, refused.Status.Detail));
    }

    /// <summary>A bad end of a live session, and the message the refusal must carry.</summary>
    private static readonly Dictionary<string, (Action<EndSessionRequest> Spoil, string Message)> BadEnds = new()
    {
        ["no session id"] = (end => end.SessionId = "", "session_id is required"),
        ["a session id with a tab"] = (end => end.SessionId += "\t", "session_id contains a control character"),
        ["an unknown operation"] = (end => end.Operations.Add("xx"), "operations: \"xx\" is not an operation code (sh pt ex sf pf ux af)"),
        ["bytes in beyond 2^63-1"] = (end => end.BytesIn = ulong.MaxValue, $"bytes_in is {ulong.MaxValue}; at most {long.MaxValue} bytes can be recorded"),
        ["an end time with negative nanos"] = (end => end.EndTime = new Timestamp { Seconds = 1_800_000_000, Nanos = -1 },
            "end_time is not a valid time (seconds 1800000000, nanos -1)"),
        ["an end before the start"] = (end => end.EndTime = At("2026-11-24T07:59:59.999Z"),
            "end_time 2026-11-24T07:59:59.999Z is before the session's start_time 2026-11-24T08:00:00Z"),
    };

    public static TheoryData<string> BadEndCases => [.. BadEnds.Keys];

    [Theory]
    [MemberData(nameof(BadEndCases))]
    public async Task A_bad_end_is_invalid_argument_and_leaves_the_session_active(string spoiled)
    {
        var (spoil, message) = BadEnds[spoiled];
        var id = Unique("s");
        var live = await Client.UpsertSessionAsync(new UpsertSessionRequest { Session = New(id, Unique("bob"), At("2026-11-24T08:00:00Z")) }, cancellationToken: Cancellation);
        var end = new EndSessionRequest { SessionId = id, EndTime = At("2026-11-24T09:00:00Z") };
        spoil(end);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.EndSessionAsync(end, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, message), (refused.StatusCode, refused.Status.Detail));
        Assert.Equal(live, await Client.GetSessionAsync(new GetSessionRequest { SessionId = id }, cancellationToken: Cancellation));
    }

    [Theory]
    [InlineData("", "session_id is required")]
    [InlineData("s\r", "session_id contains a control character")]
    public async Task A_bad_session_id_to_get_is_invalid_argument(string id, string message)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            Client.GetSessionAsync(new GetSessionRequest { SessionId = id }, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, message), (refused.StatusCode, refused.Status.Detail));
    }

    [Fact]
    public async Task A_query_with_a_state_that_is_none_or_a_bad_time_is_invalid_argument()
    {
        var state = await Assert.ThrowsAsync<RpcException>(() =>
            Client.GetSessionsAsync(new GetSessionsRequest { State = (GetSessionsRequest.Types.State)7 }, cancellationToken: Cancellation).ResponseAsync);
        var time = await Assert.ThrowsAsync<RpcException>(() =>
            Client.GetSessionsAsync(new GetSessionsRequest { StartedBefore = new Timestamp { Seconds = -62135596801 } }, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "state 7 is not one of STATE_ANY, STATE_ACTIVE, STATE_ENDED"), (state.StatusCode, state.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "started_before is not a valid time (seconds -62135596801, nanos 0)"), (time.StatusCode, time.Status.Detail));
    }
}
