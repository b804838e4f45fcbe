using System.Data.Common;

namespace K8shell.Identity.Store;

/// <summary>
/// Creates the tables or brings them up to date: <c>schema_version</c> says which of
/// <see cref="Migrations"/> ran. Each migration runs in one transaction with its version bump, and
/// replicas starting together take turns (an advisory lock on PostgreSQL, the write lock on SQLite).
/// Append new migrations; never edit one that has shipped.
/// </summary>
public sealed class StoreSchema(Database database, ILogger<StoreSchema> logger)
{
    /// <summary>Types and SQL both databases accept: TEXT, BIGINT (unix milliseconds for times), BOOLEAN.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE users (
            username TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            external_id TEXT NOT NULL,
            is_valid BOOLEAN NOT NULL,
            locked BOOLEAN NOT NULL,
            expires_at BIGINT NOT NULL,
            uid BIGINT NOT NULL,
            gid BIGINT NOT NULL,
            fullname TEXT NOT NULL,
            email TEXT NOT NULL,
            organization TEXT NOT NULL,
            shell TEXT NOT NULL,
            sudo BOOLEAN NOT NULL,
            roles TEXT NOT NULL,
            blueprints TEXT NOT NULL,
            auths TEXT NOT NULL,
            auth_keys TEXT NOT NULL,
            password TEXT NULL,
            updated_at BIGINT NOT NULL);
        CREATE INDEX users_email ON users (lower(email));
        CREATE TABLE password_failures (
            username TEXT PRIMARY KEY,
            failures BIGINT NOT NULL,
            locked_until BIGINT NOT NULL);
        CREATE TABLE device_flows (
            provider TEXT NOT NULL,
            username TEXT NOT NULL,
            device_code TEXT NOT NULL,
            user_code TEXT NOT NULL,
            verification_uri TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            interval_seconds BIGINT NOT NULL,
            next_poll_at BIGINT NOT NULL,
            PRIMARY KEY (provider, username));
        """,
    ];

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.Source.OpenConnectionAsync(cancellationToken);
        if (!database.IsPostgres)
        {
            // Readers keep reading while one writer writes; the mode is stored in the file.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", cancellationToken);
        }
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)", cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (database.IsPostgres)
        {
            await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(584101)", cancellationToken);
        }
        else
        {
            // Takes SQLite's write lock now, so two starting processes cannot both read version 0.
            await ExecuteAsync(connection, transaction, "UPDATE schema_version SET version = version WHERE 0 = 1", cancellationToken);
        }
        var current = Convert.ToInt32(await ScalarAsync(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version", cancellationToken));
        if (current > Migrations.Length)
        {
            throw new InvalidOperationException($"{database.Description} has schema version {current}, newer than this Identity knows ({Migrations.Length}); run a newer Identity");
        }
        for (var version = current + 1; version <= Migrations.Length; version++)
        {
            await ExecuteAsync(connection, transaction, Migrations[version - 1], cancellationToken);
        }
        if (current < Migrations.Length)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM schema_version", cancellationToken);
            await ExecuteAsync(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({Migrations.Length})", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("User store: {Database}, schema version {Version}{Migrated}", database.Description, Migrations.Length,
            current < Migrations.Length ? $" (migrated from {current})" : "");
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
