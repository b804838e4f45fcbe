namespace K8shell.Sessions.Tests;

/// <summary>One Sessions process on a store of its own, shared by the tests of one class (each uses names of its own).</summary>
public abstract class RunningRecords(RecordsStoreKind kind) : IAsyncLifetime
{
    private RecordsStore? _store;
    private RecordsService? _service;

    public RecordsStore Store => _store ?? throw new InvalidOperationException("not started");

    public RecordsService Service => _service ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _store = await kind.NewStoreAsync();
        _service = await RecordsService.StartAsync(_store);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
        _store?.Dispose();
    }
}

public sealed class RunningRecordsOnSqlite() : RunningRecords(new SqliteRecords());

public sealed class RunningRecordsOnPostgres(RecordsPostgres postgres) : RunningRecords(new PostgresRecords(postgres));
