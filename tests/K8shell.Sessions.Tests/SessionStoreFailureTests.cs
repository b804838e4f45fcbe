using System.Net;
using System.Text.Json;
using Grpc.Core;
using K8shell.Contracts.Sessions.V1;
using K8shell.Testing;
using static K8shell.Sessions.Tests.SessionSamples;

namespace K8shell.Sessions.Tests;

public sealed class SessionStoreFailureOnSqlite() : SessionStoreFailureTests(new SqliteRecords());

public sealed class SessionStoreFailureOnPostgres(RecordsPostgres postgres) : SessionStoreFailureTests(new PostgresRecords(postgres));

/// <summary>A store failing under a running Sessions: callers are told to try again, and the log says why.</summary>
public abstract class SessionStoreFailureTests(RecordsStoreKind kind)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failing_store_is_unavailable_over_grpc_and_503_over_http()
    {
        using var store = await kind.NewStoreAsync();
        await using var sessions = await RecordsService.StartAsync(store);
        await using (var database = store.Open())
        await using (var drop = database.Command("DROP TABLE sessions; DROP TABLE recordings"))
        {
            await drop.ExecuteNonQueryAsync(Cancellation);
        }

        var upsert = await Assert.ThrowsAsync<RpcException>(() =>
            sessions.Sessions.UpsertSessionAsync(new UpsertSessionRequest { Session = New(Unique("s"), "alice") }, cancellationToken: Cancellation).ResponseAsync);
        using var listed = await sessions.Http.GetAsync("/api/sessions", Cancellation);
        using var download = await sessions.Http.GetAsync("/api/recordings/AAAAAAAAAAAAAAAAAAAAAA", Cancellation);

        Assert.Equal((StatusCode.Unavailable, "the session store is unavailable; try again"), (upsert.StatusCode, upsert.Status.Detail));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, listed.StatusCode);
        var body = JsonDocument.Parse(await listed.Content.ReadAsStringAsync(Cancellation)).RootElement;
        Assert.Equal("the session store is unavailable; try again", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, download.StatusCode);
        Assert.True(await Eventually.WaitAsync(() => sessions.Child.Output.Contains("HTTP API: the session store"), TimeSpan.FromSeconds(10), Cancellation),
            sessions.Child.Output);
        Assert.Contains("UpsertSession: the session store", sessions.Child.Output);
    }
}
