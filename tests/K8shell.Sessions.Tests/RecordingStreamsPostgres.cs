using K8shell.Testing;

[assembly: AssemblyFixture(typeof(K8shell.Sessions.Tests.RecordingStreamsPostgres))]

namespace K8shell.Sessions.Tests;

/// <summary>
/// One real PostgreSQL server for the recording stream tests that run against both stores; each Sessions under
/// test gets a database of its own. SQLite, the default, needs nothing.
/// </summary>
public sealed class RecordingStreamsPostgres : IAsyncLifetime
{
    private PostgresServer? _server;
    private int _databases;

    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);

    /// <summary>Settings giving a Sessions the store <paramref name="store"/> names: "sqlite" (nothing to set) or "postgres" (a new database).</summary>
    public async Task<Dictionary<string, string?>> StoreAsync(string store) => store switch
    {
        "sqlite" => [],
        "postgres" => new()
        {
            ["ConnectionStrings__postgres"] = await (_server ?? throw new InvalidOperationException("not started"))
                .CreateDatabaseAsync($"recordings_{Interlocked.Increment(ref _databases)}", TestContext.Current.CancellationToken),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(store), store, "sqlite or postgres"),
    };

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
