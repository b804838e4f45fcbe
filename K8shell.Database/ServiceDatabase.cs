using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace K8shell.Database;

/// <summary>
/// Where a service keeps its state: PostgreSQL when <c>ConnectionStrings:postgres</c> is set (replicas
/// share it), otherwise a SQLite file in the service's data directory. Both run the same SQL (schemas keep
/// to what both accept: TEXT, BIGINT, BOOLEAN; times as unix milliseconds).
/// </summary>
public sealed class ServiceDatabase : IAsyncDisposable
{
    private ServiceDatabase(DbDataSource source, bool isPostgres, string description)
    {
        Source = source;
        IsPostgres = isPostgres;
        Description = description;
    }

    public DbDataSource Source { get; }

    public bool IsPostgres { get; }

    /// <summary>Which database, for the log: never the connection string (it may hold a password).</summary>
    public string Description { get; }

    /// <param name="configuration">The service's configuration, for <c>ConnectionStrings:postgres</c>.</param>
    /// <param name="dataDirectory">The service's data directory (absolute), for the SQLite file.</param>
    /// <param name="fileName">The SQLite file's name, e.g. <c>identity.db</c>.</param>
    public static ServiceDatabase Open(IConfiguration configuration, string dataDirectory, string fileName)
    {
        if (configuration.GetConnectionString("postgres") is { Length: > 0 } postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(postgres);
            return new ServiceDatabase(NpgsqlDataSource.Create(builder), true, $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}");
        }
        Directory.CreateDirectory(dataDirectory);
        var file = Path.Combine(dataDirectory, fileName);
        var connection = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true, DefaultTimeout = 30 };
        return new ServiceDatabase(SqliteFactory.Instance.CreateDataSource(connection.ToString()), false, $"SQLite file {file}");
    }

    /// <summary>A command with named parameters (<c>@name</c> in the SQL), on a connection of its own.</summary>
    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Source.CreateCommand(sql);
        AddParameters(command, parameters);
        return command;
    }

    /// <summary>A command on a connection (and transaction) the caller holds.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        AddParameters(command, parameters);
        return command;
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();

    private static void AddParameters(DbCommand command, (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }
}
