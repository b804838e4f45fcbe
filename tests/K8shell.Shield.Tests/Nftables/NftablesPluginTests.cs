using System.Net;
using K8shell.Shield.Nftables;
using K8shell.Shield.Tests.Service;
using Microsoft.Extensions.Options;

namespace K8shell.Shield.Tests.Nftables;

/// <summary>The nft command lines a ban becomes (recorded, never run).</summary>
public sealed class NftablesPluginTests
{
    private readonly RecordingRunner _runner = new();

    private NftablesPlugin Plugin(Action<NftablesOptions>? configure = null)
    {
        var options = new ShieldOptions { Nftables = { Enabled = true } };
        configure?.Invoke(options.Nftables);
        return new NftablesPlugin(Options.Create(options), _runner);
    }

    [Theory]
    [InlineData("203.0.113.9", 60, "nft add element inet k8shell banned_v4 { 203.0.113.9 timeout 60s }")]
    [InlineData("::ffff:203.0.113.9", 300, "nft add element inet k8shell banned_v4 { 203.0.113.9 timeout 300s }")]
    [InlineData("2001:db8::7", 259200, "nft add element inet k8shell banned_v6 { 2001:db8::7 timeout 259200s }")]
    public async Task A_ban_adds_the_address_to_its_familys_set_with_the_duration_as_timeout(string address, int seconds, string commandLine)
    {
        await Plugin().BanAsync(IPAddress.Parse(address), TimeSpan.FromSeconds(seconds), TestContext.Current.CancellationToken);

        Assert.Equal([commandLine], _runner.CommandLines);
    }

    [Fact]
    public async Task The_configured_binary_table_and_set_are_used_and_fractions_round_up()
    {
        var plugin = Plugin(options => (options.Command, options.Family, options.Table, options.SetV4) = ("/usr/sbin/nft", "ip", "edge", "ssh_bans"));

        await plugin.BanAsync(IPAddress.Parse("198.51.100.3"), TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);

        Assert.Equal(["/usr/sbin/nft add element ip edge ssh_bans { 198.51.100.3 timeout 2s }"], _runner.CommandLines);
    }

    [Fact]
    public async Task Without_an_IPv6_set_IPv6_bans_run_nothing()
    {
        await Plugin(options => options.SetV6 = "").BanAsync(IPAddress.Parse("2001:db8::7"), TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        Assert.Empty(_runner.CommandLines);
    }
}
