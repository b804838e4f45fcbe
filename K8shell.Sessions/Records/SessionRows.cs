using System.Data.Common;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>How a <see cref="Session"/> is laid out in the <c>sessions</c> table (SessionsSchema, migration 1).</summary>
internal static class SessionRows
{
    /// <summary>Every column, in the order <see cref="Read"/> expects.</summary>
    public const string Columns =
        "session_id, username, k8shelld_ver, client, client_ip, client_port, proxy_id, workspace, blueprint, " +
        "start_time, end_time, updated_at, bytes_in, bytes_out, operations";

    /// <summary>The same columns as named parameters, for an INSERT's VALUES.</summary>
    public const string Values =
        "@session_id, @username, @k8shelld_ver, @client, @client_ip, @client_port, @proxy_id, @workspace, @blueprint, " +
        "@start_time, @end_time, @updated_at, @bytes_in, @bytes_out, @operations";

    /// <summary>Every column but the key set from its parameter, for an UPDATE.</summary>
    public const string Assignments =
        "username = @username, k8shelld_ver = @k8shelld_ver, client = @client, client_ip = @client_ip, client_port = @client_port, " +
        "proxy_id = @proxy_id, workspace = @workspace, blueprint = @blueprint, start_time = @start_time, end_time = @end_time, " +
        "updated_at = @updated_at, bytes_in = @bytes_in, bytes_out = @bytes_out, operations = @operations";

    public static Session Read(DbDataReader row)
    {
        var session = new Session
        {
            SessionId = row.GetString(0),
            Username = row.GetString(1),
            K8ShelldVer = row.GetString(2),
            Client = row.GetString(3),
            ClientIp = row.GetString(4),
            ClientPort = (uint)row.GetInt64(5),
            ProxyId = row.GetString(6),
            Workspace = row.GetString(7),
            Blueprint = row.GetString(8),
            StartTime = UnixTimes.ToTimestamp(row.GetInt64(9)),
            EndTime = row.IsDBNull(10) ? null : UnixTimes.ToTimestamp(row.GetInt64(10)),
            UpdatedAt = UnixTimes.ToTimestamp(row.GetInt64(11)),
            BytesIn = (ulong)row.GetInt64(12),
            BytesOut = (ulong)row.GetInt64(13),
        };
        session.Operations.AddRange(OperationCodes.Parse(row.GetString(14)));
        return session;
    }

    /// <summary>The parameters of <see cref="Values"/> and <see cref="Assignments"/> (and <c>@session_id</c>).</summary>
    public static (string Name, object? Value)[] Parameters(Session session) =>
    [
        ("session_id", session.SessionId),
        ("username", session.Username),
        ("k8shelld_ver", session.K8ShelldVer),
        ("client", session.Client),
        ("client_ip", session.ClientIp),
        ("client_port", (long)session.ClientPort),
        ("proxy_id", session.ProxyId),
        ("workspace", session.Workspace),
        ("blueprint", session.Blueprint),
        ("start_time", session.StartTime.ToDateTimeOffset().ToUnixTimeMilliseconds()),
        ("end_time", session.EndTime?.ToDateTimeOffset().ToUnixTimeMilliseconds()),
        ("updated_at", session.UpdatedAt.ToDateTimeOffset().ToUnixTimeMilliseconds()),
        ("bytes_in", (long)session.BytesIn),
        ("bytes_out", (long)session.BytesOut),
        ("operations", OperationCodes.Format(session.Operations)),
    ];
}
