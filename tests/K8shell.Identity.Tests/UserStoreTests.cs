using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

namespace K8shell.Identity.Tests;

public sealed class UserStoreOnSqlite(IdentityFixture identity) : UserStoreTests(identity, new SqliteStore());

public sealed class UserStoreOnPostgres(IdentityFixture identity, PostgresFixture postgres) : UserStoreTests(identity, new PostgresStore(postgres));

/// <summary>The store itself: its schema at start, and what callers get when it fails underneath a running service.</summary>
public abstract class UserStoreTests(IdentityFixture identity, StoreKind store) : IAsyncDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-store-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_newer_schema_than_this_identity_knows_stops_it_with_the_reason()
    {
        var shared = await store.NewStoreAsync(_data);
        await (await TestIdentity.StartAsync(identity, identity.UsersFile, _data, shared)).DisposeAsync();
        await store.RunSqlAsync(shared, _data, "UPDATE schema_version SET version = 99");

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => TestIdentity.StartAsync(identity, identity.UsersFile, _data, shared));
        Assert.Contains("has schema version 99, newer than this Identity knows (1); run a newer Identity", refused.Message);
    }

    [Fact]
    public async Task A_failing_store_answers_unavailable_while_file_users_keep_working()
    {
        var shared = await store.NewStoreAsync(_data);
        await using var service = await TestIdentity.StartAsync(identity, identity.UsersFile, _data, shared);
        await store.RunSqlAsync(shared, _data, "DROP TABLE users");

        var failed = await Assert.ThrowsAsync<RpcException>(() =>
            service.Client.FindUserAsync(new FindUserRequest { Username = "someone" }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal((StatusCode.Unavailable, "the user store is unavailable; try again"), (failed.StatusCode, failed.Status.Detail));
        Assert.True(await Eventually.WaitAsync(() => service.Process.Process.Output.Contains("FindUser: the user store"), TimeSpan.FromSeconds(10), Cancellation),
            service.Process.Process.Output);
        // Users from the files do not need the store.
        Assert.Equal(1001u, (await service.Client.FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation)).Uid);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }
}
