using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>
/// A session as the HTTP API shows it (camelCase, times ISO 8601 UTC, null when unset): the shape the replay
/// page reads, kept apart from the gRPC message so renaming a proto field cannot change it.
/// </summary>
internal sealed record SessionJson(
    string SessionId,
    string Username,
    string Workspace,
    string Blueprint,
    string Client,
    string ClientIp,
    uint ClientPort,
    string ProxyId,
    string K8shelldVersion,
    DateTime? StartTime,
    DateTime? EndTime,
    DateTime? UpdatedAt,
    ulong BytesIn,
    ulong BytesOut,
    IReadOnlyList<string> Operations,
    IReadOnlyList<RecordingJson> Recordings)
{
    public static SessionJson From(Session session) => new(
        session.SessionId,
        session.Username,
        session.Workspace,
        session.Blueprint,
        session.Client,
        session.ClientIp,
        session.ClientPort,
        session.ProxyId,
        session.K8ShelldVer,
        Utc(session.StartTime),
        Utc(session.EndTime),
        Utc(session.UpdatedAt),
        session.BytesIn,
        session.BytesOut,
        [.. session.Operations],
        [.. session.Recordings.Select(RecordingJson.From)]);

    /// <summary>A UTC DateTime, which System.Text.Json writes with a trailing Z.</summary>
    public static DateTime? Utc(Timestamp? timestamp) => timestamp?.ToDateTime();
}

/// <summary>A recording as the HTTP API shows it; <see cref="RecordingId"/> is what GET /api/recordings/{id} takes.</summary>
internal sealed record RecordingJson(
    string RecordingId,
    string StreamId,
    string Kind,
    string Format,
    ulong SizeBytes,
    DateTime? StartedAt,
    DateTime? EndedAt,
    ulong DroppedBytes)
{
    public static RecordingJson From(RecordingInfo recording) => new(
        recording.RecordingId,
        recording.StreamId,
        recording.Kind,
        recording.Format,
        recording.SizeBytes,
        SessionJson.Utc(recording.StartedAt),
        SessionJson.Utc(recording.EndedAt),
        recording.DroppedBytes);
}

/// <summary>The answer of GET /api/sessions: one page and how many match in all.</summary>
internal sealed record SessionPageJson(IReadOnlyList<SessionJson> Sessions, long Total);
