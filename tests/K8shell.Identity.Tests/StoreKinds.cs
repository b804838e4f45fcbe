using K8shell.Testing;

[assembly: AssemblyFixture(typeof(K8shell.Identity.Tests.PostgresFixture))]

namespace K8shell.Identity.Tests;

/// <summary>One real PostgreSQL server for the assembly; each Identity under test gets a database of its own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private int _databases;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);

    public Task<string> NewDatabaseAsync() =>
        Server.CreateDatabaseAsync($"identity_{Interlocked.Increment(ref _databases)}", TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>
/// A store Identity can keep its users in. Tests of behaviour that lives in the store are written once,
/// in an abstract class, and run once per kind by a derived class each: the same tests prove both.
/// </summary>
public abstract class StoreKind
{
    /// <summary>Settings that give a new Identity (data in <paramref name="dataDirectory"/>) an empty store.</summary>
    public abstract Task<Dictionary<string, string?>> NewStoreAsync(string dataDirectory);

    /// <summary>Runs SQL in the store those settings name, as an operator (or another version) would.</summary>
    public abstract Task RunSqlAsync(Dictionary<string, string?> store, string dataDirectory, string sql);
}

/// <summary>The default: a SQLite file in the data directory, so nothing to configure.</summary>
public sealed class SqliteStore : StoreKind
{
    public override Task<Dictionary<string, string?>> NewStoreAsync(string dataDirectory) => Task.FromResult(new Dictionary<string, string?>());

    public override Task RunSqlAsync(Dictionary<string, string?> store, string dataDirectory, string sql) =>
        Programs.RunToSuccessAsync("sqlite3", [Path.Combine(dataDirectory, "identity.db"), sql], cancellationToken: TestContext.Current.CancellationToken);
}

public sealed class PostgresStore(PostgresFixture postgres) : StoreKind
{
    public override async Task<Dictionary<string, string?>> NewStoreAsync(string dataDirectory) =>
        new() { ["ConnectionStrings__postgres"] = await postgres.NewDatabaseAsync() };

    public override Task RunSqlAsync(Dictionary<string, string?> store, string dataDirectory, string sql)
    {
        var database = store["ConnectionStrings__postgres"]!.Split(';').Single(part => part.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];
        return Programs.RunToSuccessAsync(Path.Combine(postgres.Server.Binaries, "psql"),
            ["-h", "127.0.0.1", "-p", postgres.Server.Port.ToString(), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql],
            cancellationToken: TestContext.Current.CancellationToken);
    }
}
