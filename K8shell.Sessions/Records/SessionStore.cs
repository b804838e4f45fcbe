using System.Data.Common;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using K8shell.Database;

namespace K8shell.Sessions.Records;

/// <summary>
/// The <c>sessions</c> table: one record per SSH connection, the same SQL on SQLite and PostgreSQL.
/// A change reads and writes its row in one transaction that holds the row (PostgreSQL) or the database
/// (SQLite) from the first statement, so concurrent upserts, ends and the janitor never interleave.
/// Counters and operations only grow: a report older than what is stored (a late retry) cannot undo it.
/// </summary>
internal sealed class SessionStore(ServiceDatabase database, RecordingsOfSessions recordings, TimeProvider time)
{
    /// <summary>Inserts the session or updates it; FailedPrecondition when it has ended or belongs to another user.</summary>
    public async Task<Session> UpsertAsync(SessionReport report, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var stored = await LockAsync(connection, transaction, report.SessionId, cancellationToken);
        Session session;
        if (stored is null && await InsertAsync(connection, transaction, session = New(report, now), cancellationToken))
        {
            // Inserted: start_time is the report's or now, and never changes again.
        }
        else
        {
            // Either the row was there, or another caller inserted it since we looked: its row is now committed.
            stored ??= await LockAsync(connection, transaction, report.SessionId, cancellationToken)
                ?? throw new InvalidOperationException($"session {report.SessionId} neither inserted nor found");
            if (stored.EndTime is not null)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"session {report.SessionId} has ended"));
            }
            if (stored.Username != report.Session.Username)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"session {report.SessionId} belongs to user {stored.Username}, not {report.Session.Username}"));
            }
            session = Merged(stored, report, now);
            await UpdateAsync(connection, transaction, session, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return await WithRecordingsAsync(session, cancellationToken);
    }

    /// <summary>
    /// Ends the session with its final counters (merged like an upsert's), at <see cref="SessionEnding.EndTime"/> or now.
    /// An ended session comes back as it is; NotFound when unknown.
    /// </summary>
    public async Task<Session> EndAsync(SessionEnding ending, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var session = await LockAsync(connection, transaction, ending.SessionId, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"there is no session {ending.SessionId}"));
        if (session.EndTime is null)
        {
            var start = session.StartTime.ToDateTimeOffset().ToUnixTimeMilliseconds();
            if (ending.EndTime < start)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"end_time {UnixTimes.Format(ending.EndTime.Value)} is before the session's start_time {UnixTimes.Format(start)}"));
            }
            // Without an end time, now; but never before the start, which the proxy's clock may have put ahead of ours.
            session.EndTime = UnixTimes.ToTimestamp(ending.EndTime ?? Math.Max(now, start));
            session.UpdatedAt = UnixTimes.ToTimestamp(now);
            session.BytesIn = Math.Max(session.BytesIn, (ulong)ending.BytesIn);
            session.BytesOut = Math.Max(session.BytesOut, (ulong)ending.BytesOut);
            SetOperations(session, ending.Operations);
            await UpdateAsync(connection, transaction, session, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return await WithRecordingsAsync(session, cancellationToken);
    }

    /// <summary>The session, or null when there is none by that ID.</summary>
    public async Task<Session?> FindAsync(string sessionId, CancellationToken cancellationToken) =>
        await database.Command($"SELECT {SessionRows.Columns} FROM sessions WHERE session_id = @session_id", ("session_id", sessionId))
            .ReadFirstAsync(SessionRows.Read, cancellationToken) is { } session
            ? await WithRecordingsAsync(session, cancellationToken)
            : null;

    /// <summary>One page of the sessions matching the query (by start time, then ID) and how many match in all.</summary>
    public async Task<(List<Session> Page, long Total)> QueryAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        var (where, parameters) = query.Filter();
        var direction = query.NewestFirst ? "DESC" : "ASC";
        var page = await database.Command(
            $"SELECT {SessionRows.Columns} FROM sessions {where} ORDER BY start_time {direction}, session_id {direction} LIMIT @limit OFFSET @offset",
            [.. parameters, ("limit", (long)query.Limit), ("offset", query.Offset)]).ReadAllAsync(SessionRows.Read, cancellationToken);
        await using var count = database.Command($"SELECT COUNT(*) FROM sessions {where}", [.. parameters]);
        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken));
        await AddRecordingsAsync(page, cancellationToken);
        return (page, total);
    }

    /// <summary>
    /// Ends at most <paramref name="limit"/> active sessions not updated since <paramref name="cutoff"/>, least recently
    /// updated first, at their last sign of life (<c>updated_at</c>, or the start if that was later); how many it ended.
    /// A session upserted meanwhile is left alone: the outer conditions are checked again on the row being changed.
    /// </summary>
    public async Task<int> EndStaleAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.Command(
            """
            UPDATE sessions SET end_time = CASE WHEN updated_at > start_time THEN updated_at ELSE start_time END, updated_at = @now
            WHERE end_time IS NULL AND updated_at < @cutoff AND session_id IN (
                SELECT session_id FROM sessions WHERE end_time IS NULL AND updated_at < @cutoff ORDER BY updated_at, session_id LIMIT @limit)
            """,
            ("now", time.GetUtcNow().ToUnixTimeMilliseconds()), ("cutoff", cutoff.ToUnixTimeMilliseconds()), ("limit", (long)limit));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes at most <paramref name="limit"/> sessions that ended before <paramref name="cutoff"/>, oldest first; how many.</summary>
    public async Task<int> DeleteEndedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.Command(
            """
            DELETE FROM sessions WHERE end_time < @cutoff AND session_id IN (
                SELECT session_id FROM sessions WHERE end_time < @cutoff ORDER BY end_time, session_id LIMIT @limit)
            """,
            ("cutoff", cutoff.ToUnixTimeMilliseconds()), ("limit", (long)limit));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Takes the row's lock (the write lock on SQLite) for the rest of the transaction, then reads it; null when there is none.</summary>
    private static async Task<Session?> LockAsync(DbConnection connection, DbTransaction transaction, string sessionId, CancellationToken cancellationToken)
    {
        await using (var touch = ServiceDatabase.Command(connection, transaction,
            "UPDATE sessions SET updated_at = updated_at WHERE session_id = @session_id", ("session_id", sessionId)))
        {
            if (await touch.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return null;
            }
        }
        return await ServiceDatabase.Command(connection, transaction,
            $"SELECT {SessionRows.Columns} FROM sessions WHERE session_id = @session_id", ("session_id", sessionId)).ReadFirstAsync(SessionRows.Read, cancellationToken);
    }

    /// <summary>Whether the row went in; false when a concurrent caller's insert of the same ID came first.</summary>
    private static async Task<bool> InsertAsync(DbConnection connection, DbTransaction transaction, Session session, CancellationToken cancellationToken)
    {
        await using var insert = ServiceDatabase.Command(connection, transaction,
            $"INSERT INTO sessions ({SessionRows.Columns}) VALUES ({SessionRows.Values}) ON CONFLICT (session_id) DO NOTHING",
            SessionRows.Parameters(session));
        return await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static async Task UpdateAsync(DbConnection connection, DbTransaction transaction, Session session, CancellationToken cancellationToken)
    {
        await using var update = ServiceDatabase.Command(connection, transaction,
            $"UPDATE sessions SET {SessionRows.Assignments} WHERE session_id = @session_id", SessionRows.Parameters(session));
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Session New(SessionReport report, long now)
    {
        var session = report.Session.Clone();
        session.StartTime = UnixTimes.ToTimestamp(report.StartTime ?? now);
        session.UpdatedAt = UnixTimes.ToTimestamp(now);
        session.Recordings.Clear();
        session.Operations.Clear();
        SetOperations(session, report.Operations);
        return session;
    }

    /// <summary>The stored session with what the report adds: texts it gives, larger counters, operations not seen before.</summary>
    private static Session Merged(Session stored, SessionReport report, long now)
    {
        var reported = report.Session;
        var session = stored.Clone();
        session.K8ShelldVer = Given(reported.K8ShelldVer, stored.K8ShelldVer);
        session.Client = Given(reported.Client, stored.Client);
        session.ClientIp = Given(reported.ClientIp, stored.ClientIp);
        session.ClientPort = reported.ClientPort != 0 ? reported.ClientPort : stored.ClientPort;
        session.ProxyId = Given(reported.ProxyId, stored.ProxyId);
        session.Workspace = Given(reported.Workspace, stored.Workspace);
        session.Blueprint = Given(reported.Blueprint, stored.Blueprint);
        session.BytesIn = Math.Max(stored.BytesIn, reported.BytesIn);
        session.BytesOut = Math.Max(stored.BytesOut, reported.BytesOut);
        session.UpdatedAt = UnixTimes.ToTimestamp(now);
        SetOperations(session, report.Operations);
        return session;

        static string Given(string reported, string stored) => reported.Length > 0 ? reported : stored;
    }

    /// <summary>Adds <paramref name="codes"/> to the session's operations, keeping them sorted and unique.</summary>
    private static void SetOperations(Session session, SortedSet<string> codes)
    {
        var all = new SortedSet<string>(session.Operations, StringComparer.Ordinal);
        all.UnionWith(codes);
        session.Operations.Clear();
        session.Operations.AddRange(all);
    }

    private async Task<Session> WithRecordingsAsync(Session session, CancellationToken cancellationToken)
    {
        await AddRecordingsAsync([session], cancellationToken);
        return session;
    }

    private async Task AddRecordingsAsync(IReadOnlyList<Session> sessions, CancellationToken cancellationToken)
    {
        var found = await recordings.ListAsync(sessions.Select(session => session.SessionId).ToList(), cancellationToken);
        foreach (var session in sessions)
        {
            if (found.TryGetValue(session.SessionId, out var made))
            {
                session.Recordings.AddRange(made);
            }
        }
    }
}
