using System.Net;
using K8shell.ServiceDefaults.Nats;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.EndToEnd.Tests;

/// <summary>The stack's <c>ssh-bans</c> KV bucket, written as Shield writes it (BanEntry's wire format).</summary>
public static class BanBucket
{
    /// <summary>The bucket the proxy created at start (with its configuration); the tests only read and write entries.</summary>
    public static async Task<INatsKVStore> OpenAsync(NatsConnection nats, CancellationToken cancellationToken) =>
        await nats.CreateJetStreamContext().CreateKeyValueStoreContext().GetStoreAsync(BanEntry.DefaultBucket, cancellationToken);

    /// <summary>Bans <paramref name="address"/> for ten minutes.</summary>
    public static async Task BanAsync(INatsKVStore bans, IPAddress address, string reason, CancellationToken cancellationToken) =>
        await bans.PutAsync(BanEntry.KeyFor(address), BanEntry.For(address, reason, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)).ToJson(),
            cancellationToken: cancellationToken);

    /// <summary>The ban on <paramref name="address"/>, or null.</summary>
    public static async Task<BanEntry?> FindAsync(INatsKVStore bans, IPAddress address, CancellationToken cancellationToken)
    {
        var entry = await bans.TryGetEntryAsync<byte[]>(BanEntry.KeyFor(address), cancellationToken: cancellationToken);
        return entry.Success && entry.Value.Value is { } bytes ? BanEntry.FromJson(bytes) : null;
    }

    public static async Task LiftAsync(INatsKVStore bans, IPAddress address) =>
        await bans.DeleteAsync(BanEntry.KeyFor(address), cancellationToken: CancellationToken.None);
}
