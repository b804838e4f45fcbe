using K8shell.Testing;

[assembly: AssemblyFixture(typeof(K8shell.Sessions.Tests.RecordsPostgres))]

namespace K8shell.Sessions.Tests;

/// <summary>
/// One real PostgreSQL server for the assembly, started by the first test that needs it (the recording-file tests
/// do not); every Sessions under test gets a database of its own.
/// </summary>
public sealed class RecordsPostgres : IAsyncDisposable
{
    private readonly SemaphoreSlim _starting = new(1, 1);
    private PostgresServer? _server;
    private int _databases;

    /// <summary>A new empty database's connection string.</summary>
    public async Task<string> NewDatabaseAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        try
        {
            _server ??= await PostgresServer.StartAsync(cancellationToken);
        }
        finally
        {
            _starting.Release();
        }
        return await _server.CreateDatabaseAsync($"sessions_{Interlocked.Increment(ref _databases)}", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _starting.Dispose();
    }
}
