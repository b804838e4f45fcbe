using System.Net;
using K8shell.ServiceDefaults.Nats;
using K8shell.Testing.AppHost;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.EndToEnd.Tests;

/// <summary>The stack's <c>ssh-bans</c> bucket, as Shield writes it and every proxy watches it.</summary>
public sealed class Bans : IAsyncDisposable
{
    private readonly NatsConnection _nats;
    private readonly INatsKVStore _bucket;

    private Bans(NatsConnection nats, INatsKVStore bucket)
    {
        _nats = nats;
        _bucket = bucket;
    }

    public static async Task<Bans> OpenAsync(StackFixture stack, CancellationToken cancellationToken)
    {
        var nats = new NatsConnection(new NatsOpts { Url = await stack.App.GetConnectionStringAsync("nats") ?? "" });
        // The proxy created the bucket at start (with its configuration); the tests only read and write entries.
        return new Bans(nats, await nats.CreateKeyValueStoreContext().GetStoreAsync(BanEntry.DefaultBucket, cancellationToken));
    }

    public Task PutAsync(IPAddress address, string reason, TimeSpan duration, CancellationToken cancellationToken) =>
        _bucket.PutAsync(BanEntry.KeyFor(address), BanEntry.For(address, reason, DateTimeOffset.UtcNow, duration).ToJson(), cancellationToken: cancellationToken).AsTask();

    public async Task<BanEntry?> GetAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var entry = await _bucket.TryGetEntryAsync<byte[]>(BanEntry.KeyFor(address), cancellationToken: cancellationToken);
        return entry.Success && entry.Value.Value is { } bytes ? BanEntry.FromJson(bytes) : null;
    }

    /// <summary>Lifts a ban (a test's last step, so the address is usable again).</summary>
    public Task DeleteAsync(IPAddress address) => _bucket.DeleteAsync(BanEntry.KeyFor(address), cancellationToken: CancellationToken.None).AsTask();

    public ValueTask DisposeAsync() => _nats.DisposeAsync();
}
