using K8shell.Database;

namespace K8shell.Sessions.Store;

/// <summary>
/// Sessions' tables. Times are unix milliseconds; byte counters are BIGINT (signed 64 bits, enough for
/// 8 EiB). Append new migrations; never edit one that has shipped.
/// </summary>
internal sealed class SessionsSchema(ServiceDatabase database, ILogger<SessionsSchema> logger)
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            k8shelld_ver TEXT NOT NULL,
            client TEXT NOT NULL,
            client_ip TEXT NOT NULL,
            client_port BIGINT NOT NULL,
            proxy_id TEXT NOT NULL,
            workspace TEXT NOT NULL,
            blueprint TEXT NOT NULL,
            start_time BIGINT NOT NULL,
            end_time BIGINT NULL,
            updated_at BIGINT NOT NULL,
            bytes_in BIGINT NOT NULL,
            bytes_out BIGINT NOT NULL,
            operations TEXT NOT NULL);
        CREATE INDEX sessions_start ON sessions (start_time);
        CREATE INDEX sessions_user ON sessions (username, start_time);
        CREATE INDEX sessions_workspace ON sessions (workspace, start_time);
        CREATE INDEX sessions_stale ON sessions (end_time, updated_at);
        CREATE TABLE recordings (
            stream_id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL,
            username TEXT NOT NULL,
            kind TEXT NOT NULL,
            format TEXT NOT NULL,
            recording_id TEXT NOT NULL,
            path TEXT NOT NULL,
            size_bytes BIGINT NOT NULL,
            started_at BIGINT NOT NULL,
            ended_at BIGINT NULL,
            last_sequence BIGINT NOT NULL,
            completed BOOLEAN NOT NULL,
            dropped_bytes BIGINT NOT NULL);
        CREATE INDEX recordings_session ON recordings (session_id);
        CREATE INDEX recordings_file ON recordings (recording_id);
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at BIGINT NOT NULL);
        """,
        // Recordings: what a writer needs to continue a file after a restart (JSON, see Recording/ResumeState.cs),
        // and the retention sweep's way to completed recordings by age.
        """
        ALTER TABLE recordings ADD COLUMN resume_state TEXT NULL;
        CREATE INDEX recordings_ended ON recordings (completed, ended_at);
        """,
    ];

    public Task MigrateAsync(CancellationToken cancellationToken) =>
        new SchemaMigrations("Sessions", 584102, Migrations).RunAsync(database, logger, cancellationToken);
}
