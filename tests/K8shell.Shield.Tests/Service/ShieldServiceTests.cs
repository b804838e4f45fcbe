using K8shell.Testing;
using Microsoft.Extensions.Options;

namespace K8shell.Shield.Tests.Service;

/// <summary>Shield as a service against a real nats-server: the proxy's events in, bans in <c>ssh-bans</c> out.</summary>
public sealed class ShieldServiceTests(NatsServerFixture nats) : IAsyncLifetime
{
    private ShieldTestBed _bed = null!;

    public ValueTask InitializeAsync()
    {
        _bed = new ShieldTestBed(nats.Url);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _bed.DisposeAsync();

    [Fact]
    public async Task The_threshold_of_published_failures_bans_the_address_in_ssh_bans()
    {
        await _bed.StartAsync(("Shield:Nftables:Enabled", "true"));

        await _bed.PublishFailuresAsync("203.0.113.9", 3);
        await _bed.WaitForRecordAsync("203.0.113.9", record => record.Failures.Count == 3, "three failures counted");
        Assert.Null(await _bed.BanAsync("203.0.113.9"));

        await _bed.PublishFailuresAsync("203.0.113.9", 1);
        var ban = await _bed.WaitForBanAsync("203.0.113.9");

        Assert.Equal("203.0.113.9", ban.Ip);
        Assert.Equal(_bed.Time.Now.UtcDateTime, ban.BannedAt);
        Assert.Equal((_bed.Time.Now + TimeSpan.FromMinutes(1)).UtcDateTime, ban.ExpiresAt);
        Assert.Equal("4 failed logins in 00:05:00, strike 1", ban.Reason);
        // The plugins run once the proxies' ban is written: the command may come a moment after the ban is visible.
        await Eventually.WaitAsync(() => !_bed.Runner.CommandLines.IsEmpty, ShieldTestBed.Patience, TestContext.Current.CancellationToken);
        Assert.Equal(["nft add element inet k8shell banned_v4 { 203.0.113.9 timeout 60s }"], _bed.Runner.CommandLines);
    }

    [Fact]
    public async Task Two_instances_count_each_event_once()
    {
        await _bed.StartAsync();
        await _bed.StartAsync();
        string[] addresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"];

        foreach (var address in addresses)
        {
            await _bed.PublishFailuresAsync(address, 4);
        }
        await _bed.WaitForQueueDrainedAsync();

        foreach (var address in addresses)
        {
            // Counted twice, 4 events would be 8 failures: strike 1 at the 4th, strike 2 at the 7th.
            var record = await _bed.WaitForRecordAsync(address, record => record.Strikes >= 1, "banned");
            Assert.Equal(1, record.Strikes);
            Assert.Empty(record.Failures);
            Assert.EndsWith("strike 1", (await _bed.BanAsync(address))?.Reason);
        }
    }

    [Fact]
    public async Task Counts_survive_a_restart_of_Shield()
    {
        var first = await _bed.StartAsync();
        await _bed.PublishFailuresAsync("192.0.2.44", 3);
        await _bed.WaitForRecordAsync("192.0.2.44", record => record.Failures.Count == 3, "three failures counted");
        await first.StopAsync(TestContext.Current.CancellationToken);

        await _bed.StartAsync();
        await _bed.PublishFailuresAsync("192.0.2.44", 1);

        Assert.EndsWith("strike 1", (await _bed.WaitForBanAsync("192.0.2.44")).Reason);
    }

    [Fact]
    public async Task A_ban_that_cannot_be_written_is_issued_when_its_event_comes_back()
    {
        await _bed.StartAsync();
        await _bed.PublishFailuresAsync("203.0.113.60", 4);
        await _bed.WaitForBanAsync("203.0.113.60"); // Shield has opened the bans bucket
        await _bed.DeleteBansBucketAsync();

        await _bed.PublishFailuresAsync("192.0.2.61", 4);
        // The fourth event's ban fails: it is refused and back within the bed's 100 ms retry delay (not the 30 s
        // acknowledgement wait), and the record does not take the strike the ban never got.
        Assert.True(await Eventually.WaitAsync(async () => await _bed.RedeliveredAsync() > 0, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken),
            "the event whose ban failed was not delivered again within 10 s");
        var waiting = await _bed.WaitForRecordAsync("192.0.2.61", record => record.Failures.Count == 3, "three failures counted");
        Assert.Equal(0, waiting.Strikes);

        Assert.Null(await _bed.BanAsync("192.0.2.61")); // the bucket is back, as the proxies would create it
        Assert.EndsWith("strike 1", (await _bed.WaitForBanAsync("192.0.2.61")).Reason);
        Assert.Equal(1, (await _bed.WaitForRecordAsync("192.0.2.61", record => record.Strikes > 0, "the strike taken")).Strikes);
    }

    [Fact]
    public async Task Whitelisted_addresses_are_never_counted_nor_banned()
    {
        await _bed.StartAsync(("Shield:Whitelist:0", "192.0.2.0/24"));

        await _bed.PublishFailuresAsync("192.0.2.7", 8);
        await _bed.PublishFailuresAsync("203.0.113.70", 4);
        await _bed.WaitForBanAsync("203.0.113.70");
        await _bed.WaitForQueueDrainedAsync();

        Assert.Null(await _bed.RecordAsync("192.0.2.7"));
        Assert.Null(await _bed.BanAsync("192.0.2.7"));
    }

    [Theory]
    [InlineData("Shield:Threshold", "0")]
    [InlineData("Shield:Window", "-00:01:00")]
    [InlineData("Shield:BanSchedule:1", "00:00:00")]
    [InlineData("Shield:Whitelist:0", "10.0.0.1/8")]
    [InlineData("Shield:StateBucket", "no spaces")]
    [InlineData("Shield:Nftables:Table", "k8shell; flush ruleset")]
    public async Task A_bad_value_fails_the_start_naming_its_key(string key, string value)
    {
        var host = _bed.Build((key, value), ("Shield:BanSchedule:0", "00:01:00"), ("Shield:Nftables:Enabled", "true"));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(key, failure.Message);
    }
}
