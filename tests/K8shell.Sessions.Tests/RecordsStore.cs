using K8shell.Database;
using Microsoft.Extensions.Configuration;

namespace K8shell.Sessions.Tests;

/// <summary>
/// Where a Sessions under test keeps its records: a data directory and, for PostgreSQL, a database of its own.
/// Several Sessions started on one store share it, as replicas do. The test can open it too, to set up rows a
/// running proxy could not (sessions silent for an hour) and to look at the tables.
/// </summary>
public sealed class RecordsStore(string kind, IReadOnlyDictionary<string, string?> settings) : IDisposable
{
    public string Kind => kind;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("k8shell-records-").FullName;

    /// <summary>Configuration keys (<c>ConnectionStrings:postgres</c>), as the service reads them.</summary>
    public IReadOnlyDictionary<string, string?> Settings => settings;

    /// <summary>The database as Sessions opens it from the same settings.</summary>
    internal ServiceDatabase Open() =>
        ServiceDatabase.Open(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), DataDirectory, "sessions.db");

    public override string ToString() => kind;

    public void Dispose() => Directory.Delete(DataDirectory, recursive: true);
}

/// <summary>Makes stores of one kind: the same tests run once per kind.</summary>
public abstract class RecordsStoreKind
{
    public abstract Task<RecordsStore> NewStoreAsync();
}

/// <summary>The default: a SQLite file in the data directory.</summary>
public sealed class SqliteRecords : RecordsStoreKind
{
    public override Task<RecordsStore> NewStoreAsync() => Task.FromResult(new RecordsStore("sqlite", new Dictionary<string, string?>()));
}

public sealed class PostgresRecords(RecordsPostgres postgres) : RecordsStoreKind
{
    public override async Task<RecordsStore> NewStoreAsync() => new("postgres", new Dictionary<string, string?>
    {
        ["ConnectionStrings:postgres"] = await postgres.NewDatabaseAsync(TestContext.Current.CancellationToken),
    });
}
