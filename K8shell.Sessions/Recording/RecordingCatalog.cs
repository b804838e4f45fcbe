using System.Data.Common;
using K8shell.Database;

namespace K8shell.Sessions.Recording;

/// <summary>
/// The <c>recordings</c> table: one row per recorded channel, saying which file holds it and how far that file is on
/// disk. Rows are inserted when a stream starts, their progress saved by checkpoints (all streams of a file in one
/// transaction, so they agree with the file), completed once, and deleted by retention.
/// </summary>
internal sealed class RecordingCatalog(ServiceDatabase database)
{
    private const string Columns =
        "stream_id, session_id, username, kind, format, recording_id, path, size_bytes, started_at, ended_at, last_sequence, completed, dropped_bytes, resume_state";

    public Task<RecordingRow?> FindAsync(string streamId, CancellationToken cancellationToken) =>
        database.Command($"SELECT {Columns} FROM recordings WHERE stream_id = @id", ("id", streamId)).ReadFirstAsync(Row, cancellationToken);

    /// <summary>The rows of one file of a connection (a PCAP shared by its forwards to one destination).</summary>
    public Task<List<RecordingRow>> FileRowsAsync(string sessionId, string path, CancellationToken cancellationToken) =>
        database.Command($"SELECT {Columns} FROM recordings WHERE session_id = @session AND path = @path ORDER BY started_at, stream_id",
            ("session", sessionId), ("path", path)).ReadAllAsync(Row, cancellationToken);

    /// <summary>A connection's streams not completed yet.</summary>
    public Task<List<RecordingRow>> IncompleteAsync(string sessionId, CancellationToken cancellationToken) =>
        database.Command($"SELECT {Columns} FROM recordings WHERE session_id = @session AND completed = @no ORDER BY path, started_at",
            ("session", sessionId), ("no", false)).ReadAllAsync(Row, cancellationToken);

    /// <summary>The file of a recording ID: its path, format and the size last known to end with a complete record.</summary>
    public Task<RecordingRow?> FindFileAsync(string recordingId, CancellationToken cancellationToken) =>
        database.Command($"SELECT {Columns} FROM recordings WHERE recording_id = @id ORDER BY size_bytes DESC LIMIT 1",
            ("id", recordingId)).ReadFirstAsync(Row, cancellationToken);

    public async Task InsertAsync(RecordingRow row, CancellationToken cancellationToken)
    {
        await using var command = database.Command(
            $"INSERT INTO recordings ({Columns}) VALUES (@{Columns.Replace(", ", ", @")})",
            ("stream_id", row.StreamId), ("session_id", row.SessionId), ("username", row.Username), ("kind", row.Kind), ("format", row.Format),
            ("recording_id", row.RecordingId), ("path", row.Path), ("size_bytes", row.SizeBytes), ("started_at", row.StartedAt.ToUnixTimeMilliseconds()),
            ("ended_at", row.EndedAt?.ToUnixTimeMilliseconds()), ("last_sequence", (long)row.LastSequence), ("completed", row.Completed),
            ("dropped_bytes", (long)row.DroppedBytes), ("resume_state", row.ResumeState));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Saves a checkpoint of one file: its size on disk for every row of <paramref name="recordingId"/>, and each
    /// stream's progress. A completed row is never changed again, so a late checkpoint cannot reopen it.
    /// </summary>
    public async Task SaveAsync(string recordingId, long size, IReadOnlyList<StreamProgress> streams, CancellationToken cancellationToken)
    {
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var sized = ServiceDatabase.Command(connection, transaction, "UPDATE recordings SET size_bytes = @size WHERE recording_id = @id",
            ("size", size), ("id", recordingId)))
        {
            await sized.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var stream in streams)
        {
            await using var saved = ServiceDatabase.Command(connection, transaction,
                "UPDATE recordings SET last_sequence = @sequence, dropped_bytes = @dropped, resume_state = @state, completed = @completed, ended_at = @ended "
                + "WHERE stream_id = @id AND completed = @no",
                ("sequence", (long)stream.LastSequence), ("dropped", (long)stream.DroppedBytes), ("state", stream.ResumeState),
                ("completed", stream.Completed), ("ended", stream.EndedAt?.ToUnixTimeMilliseconds()), ("id", stream.StreamId), ("no", false));
            await saved.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Completes streams whose file could not be opened to finish them: their rows say so, the file stays as it is.</summary>
    public async Task CompleteAsync(IEnumerable<string> streamIds, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        foreach (var streamId in streamIds)
        {
            await using var command = database.Command("UPDATE recordings SET completed = @yes, ended_at = @ended WHERE stream_id = @id AND completed = @no",
                ("yes", true), ("ended", endedAt.ToUnixTimeMilliseconds()), ("id", streamId), ("no", false));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Connections whose session record ended before <paramref name="endedBefore"/> (the records' janitor ends those whose
    /// proxy vanished) but whose recordings were never ended: no EndRecordingSession will come for them.
    /// </summary>
    public Task<List<(string SessionId, DateTimeOffset EndedAt)>> AbandonedAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken) =>
        database.Command(
            "SELECT DISTINCT r.session_id, s.end_time FROM recordings r JOIN sessions s ON s.session_id = r.session_id "
            + "WHERE r.completed = @no AND s.end_time IS NOT NULL AND s.end_time < @before ORDER BY s.end_time LIMIT @limit",
            ("no", false), ("before", endedBefore.ToUnixTimeMilliseconds()), ("limit", limit))
        .ReadAllAsync(row => (row.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1))), cancellationToken);

    /// <summary>Files every stream of which completed before <paramref name="cutoff"/>: what retention may delete.</summary>
    public Task<List<(string RecordingId, string Path)>> ExpiredFilesAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        database.Command(
            "SELECT DISTINCT r.recording_id, r.path FROM recordings r WHERE r.completed = @yes AND r.ended_at < @cutoff "
            + "AND NOT EXISTS (SELECT 1 FROM recordings o WHERE o.recording_id = r.recording_id AND (o.completed = @no OR o.ended_at >= @cutoff)) "
            + "ORDER BY r.recording_id LIMIT @limit",
            ("yes", true), ("no", false), ("cutoff", cutoff.ToUnixTimeMilliseconds()), ("limit", limit))
        .ReadAllAsync(row => (row.GetString(0), row.GetString(1)), cancellationToken);

    /// <summary>Deletes the rows of a file retention removed, unless one of them changed since it was chosen.</summary>
    public async Task DeleteFileAsync(string recordingId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = database.Command("DELETE FROM recordings WHERE recording_id = @id AND completed = @yes AND ended_at < @cutoff",
            ("id", recordingId), ("yes", true), ("cutoff", cutoff.ToUnixTimeMilliseconds()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static RecordingRow Row(DbDataReader row) => new(
        row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetString(4), row.GetString(5), row.GetString(6),
        row.GetInt64(7), DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(8)),
        row.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(9)),
        (ulong)row.GetInt64(10), row.GetBoolean(11), (ulong)row.GetInt64(12), row.IsDBNull(13) ? null : row.GetString(13));
}
