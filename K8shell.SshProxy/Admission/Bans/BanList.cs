using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using K8shell.ServiceDefaults.Nats;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.SshProxy.Admission.Bans;

/// <summary>
/// The banned client addresses, kept in memory from a watch on the <c>ssh-bans</c> KV bucket so the check
/// before each handshake costs no round trip. While NATS is unreachable the last known bans still hold,
/// other clients are admitted (fail open: an outage of NATS must not lock everyone out), and the watch
/// starts again when NATS is back.
/// </summary>
internal sealed partial class BanList(
    INatsConnection connection,
    IOptions<BanOptions> options,
    TimeProvider time,
    ILogger<BanList> logger) : BackgroundService
{
    private readonly BanOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, BanEntry> _bans = new(StringComparer.Ordinal);
    private bool _live;

    /// <summary>Whether <paramref name="client"/> is banned now, and the ban (for the log line).</summary>
    public bool IsBanned(IPAddress client, [NotNullWhen(true)] out BanEntry? ban)
    {
        if (_bans.TryGetValue(BanEntry.KeyFor(client), out ban) && ban.IsActiveAt(time.GetUtcNow()))
        {
            return true;
        }
        ban = null;
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // A watch that was live when NATS went away is started again as soon as NATS is back: left to itself, the
            // client's ordered consumer noticed the restart only after missed heartbeats (about 10 s without bans, seen
            // in the fault tests). The new watch catches up with every ban and says so in the log.
            using var reconnected = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            ValueTask Restart(object? sender, NatsEventArgs args)
            {
                if (Volatile.Read(ref _live))
                {
                    reconnected.Cancel();
                }
                return ValueTask.CompletedTask;
            }
            connection.ConnectionOpened += Restart;
            try
            {
                await WatchAsync(reconnected.Token);
            }
            catch (OperationCanceledException) when (reconnected.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogWatchFailed(logger, exception, _options.Bucket, _bans.Count, _options.RetryDelay);
            }
            finally
            {
                connection.ConnectionOpened -= Restart;
                Volatile.Write(ref _live, false);
            }
            if (reconnected.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
            {
                LogRewatching(logger, _options.Bucket, _bans.Count);
                continue;
            }
            try
            {
                await Task.Delay(_options.RetryDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var store = await OpenBucketAsync(cancellationToken);
        // Keys known before this watch that it does not deliver again were deleted meanwhile.
        var stale = new HashSet<string>(_bans.Keys, StringComparer.Ordinal);
        var caughtUp = false;
        void CatchUp()
        {
            if (!caughtUp)
            {
                caughtUp = true;
                foreach (var key in stale)
                {
                    _bans.TryRemove(key, out _);
                }
                Volatile.Write(ref _live, true);
                LogWatching(logger, _options.Bucket, _bans.Count);
            }
        }
        var watchOptions = new NatsKVWatchOpts
        {
            OnNoData = _ =>
            {
                CatchUp();
                return ValueTask.FromResult(false);
            },
        };
        await foreach (var entry in store.WatchAsync<byte[]>(opts: watchOptions, cancellationToken: cancellationToken))
        {
            stale.Remove(entry.Key);
            Apply(entry);
            if (entry.Delta == 0)
            {
                CatchUp();
            }
        }
    }

    /// <summary>Shield may not have run yet, and the bucket must exist to be watched: opened, or created as the proxy configures it.</summary>
    private Task<INatsKVStore> OpenBucketAsync(CancellationToken cancellationToken) =>
        connection.CreateJetStreamContext().CreateKeyValueStoreContext().OpenOrCreateAsync(_options.BucketConfig(), cancellationToken);

    private void Apply(NatsKVEntry<byte[]> entry)
    {
        if (entry.Operation is NatsKVOperation.Del or NatsKVOperation.Purge)
        {
            _bans.TryRemove(entry.Key, out _);
            return;
        }
        try
        {
            _bans[entry.Key] = BanEntry.FromJson(entry.Value ?? []);
        }
        catch (JsonException exception)
        {
            _bans.TryRemove(entry.Key, out _);
            LogUnreadableBan(logger, exception, entry.Key, _options.Bucket);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ban list: watching KV bucket {Bucket} failed; {Known} known bans still hold, other clients are admitted (fail open); retrying in {RetryDelay}")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string bucket, int known, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ban list: NATS is back; watching KV bucket {Bucket} again ({Known} known bans hold meanwhile)")]
    private static partial void LogRewatching(ILogger logger, string bucket, int known);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ban list: watching KV bucket {Bucket}, {Known} bans known")]
    private static partial void LogWatching(ILogger logger, string bucket, int known);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ban list: entry {Key} in KV bucket {Bucket} is not a ban entry; ignored")]
    private static partial void LogUnreadableBan(ILogger logger, Exception exception, string key, string bucket);
}
