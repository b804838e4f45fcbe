using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Tests;

/// <summary>A row of the <c>sessions</c> table as the test writes it: times in unix milliseconds.</summary>
public sealed record StoredSession(string SessionId, string Username, string Workspace, long StartTime, long? EndTime, long UpdatedAt);

/// <summary>Rows the proxy could not make through the API (a session silent for an hour, one that ended long ago).</summary>
internal static class StoredSessions
{
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Inserts the rows in one statement, so a janitor or retention round sees all of them or none.</summary>
    public static async Task InsertAsync(RecordsStore store, IReadOnlyList<StoredSession> rows)
    {
        await using var database = store.Open();
        var values = new List<string>();
        var parameters = new List<(string, object?)>();
        for (var i = 0; i < rows.Count; i++)
        {
            values.Add($"(@id{i}, @user{i}, '', '', '', 0, '', @ws{i}, '', @start{i}, @end{i}, @updated{i}, 0, 0, '')");
            parameters.AddRange([($"id{i}", rows[i].SessionId), ($"user{i}", rows[i].Username), ($"ws{i}", rows[i].Workspace),
                ($"start{i}", rows[i].StartTime), ($"end{i}", rows[i].EndTime), ($"updated{i}", rows[i].UpdatedAt)]);
        }
        await using var command = database.Command(
            "INSERT INTO sessions (session_id, username, k8shelld_ver, client, client_ip, client_port, proxy_id, workspace, blueprint, " +
            $"start_time, end_time, updated_at, bytes_in, bytes_out, operations) VALUES {string.Join(", ", values)}",
            [.. parameters]);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The IDs of the sessions still in the table among <paramref name="ids"/>.</summary>
    public static async Task<HashSet<string>> ExistingAsync(RecordsStore store, IEnumerable<string> ids)
    {
        await using var database = store.Open();
        var found = new HashSet<string>();
        foreach (var id in ids)
        {
            await using var command = database.Command("SELECT COUNT(*) FROM sessions WHERE session_id = @id", ("id", id));
            if (Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken)) == 1)
            {
                found.Add(id);
            }
        }
        return found;
    }

    /// <summary>A recording row as the recording streams keep it, for the session record to list.</summary>
    public static async Task InsertRecordingAsync(RecordsStore store, string sessionId, RecordingInfo recording, string username)
    {
        await using var database = store.Open();
        await using var command = database.Command(
            """
            INSERT INTO recordings (stream_id, session_id, username, kind, format, recording_id, path, size_bytes, started_at, ended_at,
                last_sequence, completed, dropped_bytes)
            VALUES (@stream_id, @session_id, @username, @kind, @format, @recording_id, 'somewhere', @size_bytes, @started_at, @ended_at, 7, @completed, @dropped_bytes)
            """,
            ("stream_id", recording.StreamId), ("session_id", sessionId), ("username", username), ("kind", recording.Kind), ("format", recording.Format),
            ("recording_id", recording.RecordingId), ("size_bytes", (long)recording.SizeBytes),
            ("started_at", recording.StartedAt.ToDateTimeOffset().ToUnixTimeMilliseconds()),
            ("ended_at", recording.EndedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds()),
            ("completed", recording.EndedAt is not null), ("dropped_bytes", (long)recording.DroppedBytes));
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
