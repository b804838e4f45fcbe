using System.Net;
using K8shell.ServiceDefaults.Nats;
using K8shell.SshProxy.Admission.Bans;
using K8shell.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.KeyValueStore;
using NATS.Net;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>The proxy's view of K8shell.Shield's bans, against a real nats-server that comes and goes.</summary>
public sealed class BanListTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly SettableTime _time = new(DateTimeOffset.UtcNow);
    private RestartableNatsServer _nats = null!;
    private NatsConnection _proxyConnection = null!;
    private NatsConnection? _shieldConnection;
    private BanList _bans = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _nats = await RestartableNatsServer.CreateAsync(Cancellation);

    public async ValueTask DisposeAsync()
    {
        if (_bans is not null)
        {
            await _bans.StopAsync(CancellationToken.None);
            _bans.Dispose();
        }
        await _nats.DisposeAsync();
    }

    private async Task StartBanListAsync()
    {
        _proxyConnection = _nats.Connect();
        _bans = new BanList(_proxyConnection, Options.Create(new BanOptions { RetryDelay = TimeSpan.FromMilliseconds(100) }), _time, NullLogger<BanList>.Instance);
        await _bans.StartAsync(Cancellation);
    }

    /// <summary>What K8shell.Shield does: open the bucket, or create it the way the proxy would when it comes first.</summary>
    private async Task<INatsKVStore> ShieldBucketAsync()
    {
        _shieldConnection ??= _nats.Connect();
        return await _shieldConnection.CreateJetStreamContext().CreateKeyValueStoreContext().OpenOrCreateAsync(new BanOptions().BucketConfig(), Cancellation);
    }

    private async Task BanAsync(string address, TimeSpan duration)
    {
        var ban = BanEntry.For(IPAddress.Parse(address), "4 failed logins in 5m", _time.GetUtcNow(), duration);
        var bucket = await ShieldBucketAsync();
        await bucket.PutAsync(BanEntry.KeyFor(IPAddress.Parse(address)), ban.ToJson(), cancellationToken: Cancellation);
    }

    private bool IsBanned(string address) => _bans.IsBanned(IPAddress.Parse(address), out _);

    private Task<bool> EventuallyAsync(Func<bool> condition) => Eventually.WaitAsync(condition, Patience, Cancellation);

    [Fact]
    public async Task The_proxy_creates_the_bucket_when_Shield_has_not_yet()
    {
        await StartBanListAsync();

        var jetStream = _nats.Connect().CreateJetStreamContext();
        var context = jetStream.CreateKeyValueStoreContext();
        Assert.True(await Eventually.WaitAsync(async () => (await context.GetBucketNamesAsync(Cancellation).ToListAsync(Cancellation)).Contains("ssh-bans"), Patience, Cancellation));
        // The bucket's stream holds bans a week at most: NATS 2.9 has no per-key TTL.
        var stream = await jetStream.GetStreamAsync("KV_ssh-bans", cancellationToken: Cancellation);
        Assert.Equal(TimeSpan.FromDays(7), stream.Info.Config.MaxAge);
    }

    [Fact]
    public async Task A_ban_written_to_the_bucket_is_enforced_and_its_deletion_lifts_it()
    {
        await StartBanListAsync();

        await BanAsync("203.0.113.66", TimeSpan.FromMinutes(5));

        Assert.True(await EventuallyAsync(() => IsBanned("203.0.113.66")), "the ban was not seen");
        Assert.True(_bans.IsBanned(IPAddress.Parse("::ffff:203.0.113.66"), out var ban));
        Assert.Equal("203.0.113.66", ban.Ip);
        Assert.Equal("4 failed logins in 5m", ban.Reason);
        Assert.False(IsBanned("203.0.113.67"));

        await (await ShieldBucketAsync()).DeleteAsync("203.0.113.66", cancellationToken: Cancellation);

        Assert.True(await EventuallyAsync(() => !IsBanned("203.0.113.66")), "the deletion was not seen");
    }

    [Fact]
    public async Task A_ban_counts_only_until_it_expires()
    {
        await StartBanListAsync();
        await BanAsync("198.51.100.23", TimeSpan.FromMinutes(1));
        Assert.True(await EventuallyAsync(() => IsBanned("198.51.100.23")));

        _time.Now += TimeSpan.FromSeconds(59);
        Assert.True(IsBanned("198.51.100.23"));
        _time.Now += TimeSpan.FromSeconds(1);
        Assert.False(IsBanned("198.51.100.23"));
    }

    [Fact]
    public async Task IPv6_bans_are_keyed_without_colons_and_enforced()
    {
        await StartBanListAsync();

        await BanAsync("2001:db8::66", TimeSpan.FromMinutes(5));

        Assert.Equal("2001_db8__66", BanEntry.KeyFor(IPAddress.Parse("2001:db8::66")));
        Assert.True(await EventuallyAsync(() => IsBanned("2001:db8:0:0::66")), "the IPv6 ban was not seen");
        Assert.False(IsBanned("2001:db8::67"));
    }

    [Fact]
    public async Task An_entry_that_is_not_a_ban_is_ignored_and_later_bans_still_arrive()
    {
        await StartBanListAsync();
        var bucket = await ShieldBucketAsync();

        await bucket.PutAsync("203.0.113.5", "not json"u8.ToArray(), cancellationToken: Cancellation);
        await BanAsync("203.0.113.6", TimeSpan.FromMinutes(5));

        Assert.True(await EventuallyAsync(() => IsBanned("203.0.113.6")));
        Assert.False(IsBanned("203.0.113.5"));
    }

    [Fact]
    public async Task With_NATS_down_at_start_everyone_is_admitted_and_bans_arrive_once_it_is_up()
    {
        await _nats.StopAsync();
        await StartBanListAsync();
        Assert.False(IsBanned("203.0.113.66"));

        await _nats.StartAsync(Cancellation);
        await BanAsync("203.0.113.66", TimeSpan.FromMinutes(5));

        Assert.True(await EventuallyAsync(() => IsBanned("203.0.113.66")), "the watch did not start once NATS was up");
    }

    [Fact]
    public async Task After_NATS_restarts_known_bans_hold_and_the_watch_resumes()
    {
        await StartBanListAsync();
        await BanAsync("203.0.113.10", TimeSpan.FromMinutes(5));
        Assert.True(await EventuallyAsync(() => IsBanned("203.0.113.10")));

        await _nats.StopAsync();
        Assert.True(await EventuallyAsync(() => _proxyConnection.ConnectionState != NatsConnectionState.Open));
        Assert.True(IsBanned("203.0.113.10"), "a known ban must hold while NATS is down");
        await _nats.StartAsync(Cancellation);
        await BanAsync("203.0.113.11", TimeSpan.FromMinutes(5));

        Assert.True(await EventuallyAsync(() => IsBanned("203.0.113.11")), "the watch did not resume after the restart");
        Assert.True(IsBanned("203.0.113.10"));
    }
}
