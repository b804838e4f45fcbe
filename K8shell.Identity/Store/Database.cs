using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace K8shell.Identity.Store;

/// <summary>
/// Where Identity keeps users of remote providers, password failures and device flows: PostgreSQL when
/// <c>ConnectionStrings:postgres</c> is set (replicas share it), otherwise a SQLite file in the data
/// directory. Both run the same SQL (the schema keeps to what both accept); the schema is created or
/// brought up to date before the service answers anything.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private Database(DbDataSource source, bool isPostgres, string description)
    {
        Source = source;
        IsPostgres = isPostgres;
        Description = description;
    }

    public DbDataSource Source { get; }

    public bool IsPostgres { get; }

    /// <summary>Which database, for the log: never the connection string (it may hold a password).</summary>
    public string Description { get; }

    public static Database Open(IConfiguration configuration, IOptions<IdentityOptions> options, IHostEnvironment environment)
    {
        if (configuration.GetConnectionString("postgres") is { Length: > 0 } postgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(postgres);
            return new Database(NpgsqlDataSource.Create(builder), true, $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}");
        }
        var directory = Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "identity.db");
        var connection = new SqliteConnectionStringBuilder { DataSource = file, Pooling = true, DefaultTimeout = 30 };
        return new Database(SqliteFactory.Instance.CreateDataSource(connection.ToString()), false, $"SQLite file {file}");
    }

    /// <summary>A command with named parameters (<c>@name</c> in the SQL), on a connection of its own.</summary>
    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Source.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
