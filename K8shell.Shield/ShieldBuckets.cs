using K8shell.ServiceDefaults.Nats;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.Shield;

/// <summary>
/// The two KV buckets Shield writes, opened once (created when missing): the per-address state, and the bans with the
/// proxies' configuration (<see cref="BanEntry.BucketConfig"/>), since whoever comes first creates <c>ssh-bans</c>.
/// </summary>
internal sealed class ShieldBuckets(INatsConnection connection, IOptions<ShieldOptions> options)
{
    private readonly ShieldOptions _options = options.Value;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private INatsKVStore? _state;
    private INatsKVStore? _bans;

    public Task<INatsKVStore> StateAsync(CancellationToken cancellationToken) =>
        OpenAsync(() => _state, store => _state = store, new NatsKVConfig(_options.StateBucket)
        {
            Description = "K8shell.Shield: failures and strikes per client address, shared by replicas",
            // Updates are revision-checked against the latest value only; older ones are of no use.
            History = 1,
        }, cancellationToken);

    public Task<INatsKVStore> BansAsync(CancellationToken cancellationToken) =>
        OpenAsync(() => _bans, store => _bans = store, BanEntry.BucketConfig(_options.BansBucket, _options.BansBucketMaxAge), cancellationToken);

    private async Task<INatsKVStore> OpenAsync(Func<INatsKVStore?> get, Action<INatsKVStore> set, NatsKVConfig config, CancellationToken cancellationToken)
    {
        if (get() is { } open)
        {
            return open;
        }
        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (get() is { } opened)
            {
                return opened;
            }
            var store = await connection.CreateKeyValueStoreContext().OpenOrCreateAsync(config, cancellationToken);
            set(store);
            return store;
        }
        finally
        {
            _opening.Release();
        }
    }
}
