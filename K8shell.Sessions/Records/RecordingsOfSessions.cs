using System.Data.Common;
using K8shell.Contracts.Sessions.V1;
using K8shell.Database;

namespace K8shell.Sessions.Records;

/// <summary>
/// The recordings a session's record lists (<c>Session.recordings</c>), read from the <c>recordings</c> table
/// (SessionsSchema) that the recording streams keep. Records only read them.
/// </summary>
internal sealed class RecordingsOfSessions(ServiceDatabase database)
{
    /// <summary>Recordings by session ID, oldest first; sessions without any are missing from the answer.</summary>
    public async Task<IReadOnlyDictionary<string, List<RecordingInfo>>> ListAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, List<RecordingInfo>>(StringComparer.Ordinal);
        if (sessionIds.Count == 0)
        {
            return found;
        }
        // One parameter per ID: a page holds at most 1000 sessions, well within both databases' limits.
        var parameters = sessionIds.Distinct().Select((id, index) => ($"s{index}", (object?)id)).ToArray();
        await using var command = database.Command(
            $"""
            SELECT session_id, stream_id, kind, format, size_bytes, started_at, ended_at, recording_id, dropped_bytes
            FROM recordings WHERE session_id IN ({string.Join(", ", parameters.Select(parameter => "@" + parameter.Item1))})
            ORDER BY started_at, stream_id
            """,
            parameters);
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        while (await row.ReadAsync(cancellationToken))
        {
            var sessionId = row.GetString(0);
            if (!found.TryGetValue(sessionId, out var recordings))
            {
                found[sessionId] = recordings = [];
            }
            recordings.Add(Read(row));
        }
        return found;
    }

    private static RecordingInfo Read(DbDataReader row) => new()
    {
        StreamId = row.GetString(1),
        Kind = row.GetString(2),
        Format = row.GetString(3),
        SizeBytes = (ulong)row.GetInt64(4),
        StartedAt = UnixTimes.ToTimestamp(row.GetInt64(5)),
        EndedAt = row.IsDBNull(6) ? null : UnixTimes.ToTimestamp(row.GetInt64(6)),
        RecordingId = row.GetString(7),
        DroppedBytes = (ulong)row.GetInt64(8),
    };
}
