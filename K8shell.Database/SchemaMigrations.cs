using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace K8shell.Database;

/// <summary>
/// Creates a service's tables or brings them up to date: <c>schema_version</c> says how many of the
/// service's migrations ran. Each run of migrations happens in one transaction with its version bump,
/// and replicas starting together take turns (an advisory lock on PostgreSQL, the write lock on SQLite).
/// Services append new migrations; they never edit one that has shipped.
/// </summary>
/// <param name="service">The service's name, for messages ("Identity").</param>
/// <param name="lockKey">The PostgreSQL advisory lock key, distinct per service sharing a database.</param>
/// <param name="migrations">SQL both databases accept, oldest first.</param>
public sealed class SchemaMigrations(string service, long lockKey, IReadOnlyList<string> migrations)
{
    public async Task RunAsync(ServiceDatabase database, ILogger logger, CancellationToken cancellationToken)
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
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({lockKey})", cancellationToken);
        }
        else
        {
            // Takes SQLite's write lock now, so two starting processes cannot both read version 0.
            await ExecuteAsync(connection, transaction, "UPDATE schema_version SET version = version WHERE 0 = 1", cancellationToken);
        }
        await using var read = ServiceDatabase.Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
        var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken));
        if (current > migrations.Count)
        {
            throw new InvalidOperationException($"{database.Description} has schema version {current}, newer than this {service} knows ({migrations.Count}); run a newer {service}");
        }
        for (var version = current + 1; version <= migrations.Count; version++)
        {
            await ExecuteAsync(connection, transaction, migrations[version - 1], cancellationToken);
        }
        if (current < migrations.Count)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM schema_version", cancellationToken);
            await ExecuteAsync(connection, transaction, $"INSERT INTO schema_version (version) VALUES ({migrations.Count})", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("{Service} store: {Database}, schema version {Version}{Migrated}", service, database.Description, migrations.Count,
            current < migrations.Count ? $" (migrated from {current})" : "");
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = ServiceDatabase.Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
