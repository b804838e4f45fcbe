using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>
/// An UpsertSession, checked: what the proxy says about a live session. Empty texts and a zero port mean
/// "not known (yet)" and keep what is stored; counters and operations are the proxy's running totals.
/// </summary>
internal sealed record SessionReport(Session Session, long? StartTime, SortedSet<string> Operations)
{
    public const int MaxPort = 65535;

    public string SessionId => Session.SessionId;

    /// <summary>The request's session, or InvalidArgument naming the first field that is wrong.</summary>
    public static SessionReport From(UpsertSessionRequest request)
    {
        var session = request.Session ?? throw Invalid("session is required");
        RequiredNames.Checked(session.SessionId, "session.session_id");
        RequiredNames.Checked(session.Username, "session.username");
        if (session.EndTime is not null)
        {
            throw Invalid("session.end_time must not be set: a session ends through EndSession");
        }
        if (session.ClientPort > MaxPort)
        {
            throw Invalid($"session.client_port is {session.ClientPort}; a port is at most {MaxPort}");
        }
        Counters.Checked(session.BytesIn, "session.bytes_in");
        Counters.Checked(session.BytesOut, "session.bytes_out");
        var startTime = session.StartTime is { } start ? UnixTimes.Checked(start, "session.start_time") : (long?)null;
        return new SessionReport(session, startTime, OperationCodes.Checked(session.Operations, "session.operations"));
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}

/// <summary>An EndSession, checked: the final counters and operations, and when (null: now).</summary>
internal sealed record SessionEnding(string SessionId, long? EndTime, long BytesIn, long BytesOut, SortedSet<string> Operations)
{
    public static SessionEnding From(EndSessionRequest request) => new(
        RequiredNames.Checked(request.SessionId, "session_id"),
        request.EndTime is { } end ? UnixTimes.Checked(end, "end_time") : null,
        Counters.Checked(request.BytesIn, "bytes_in"),
        Counters.Checked(request.BytesOut, "bytes_out"),
        OperationCodes.Checked(request.Operations, "operations"));
}

/// <summary>Byte counters are stored as signed 64 bits; larger totals are refused rather than wrapped.</summary>
internal static class Counters
{
    public static long Checked(ulong value, string field) => value <= long.MaxValue
        ? (long)value
        : throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is {value}; at most {long.MaxValue} bytes can be recorded"));
}
