using System.Net;
using System.Text;
using K8shell.ServiceDefaults.Nats;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>The ssh-bans wire format K8shell.Shield writes and the proxy reads: the two must agree byte for byte.</summary>
public sealed class BanEntryTests
{
    [Fact]
    public void A_ban_is_written_as_the_agreed_JSON_with_RFC3339_UTC_times()
    {
        var ban = BanEntry.For(IPAddress.Parse("::ffff:203.0.113.9"), "4 failed logins in 5m", new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.FromHours(1)), TimeSpan.FromMinutes(15));

        Assert.Equal(
            """{"ip":"203.0.113.9","reason":"4 failed logins in 5m","banned_at":"2026-11-24T08:00:00Z","expires_at":"2026-11-24T08:15:00Z"}""",
            Encoding.UTF8.GetString(ban.ToJson()));
    }

    [Fact]
    public void A_ban_written_elsewhere_is_read_with_unknown_fields_ignored()
    {
        var ban = BanEntry.FromJson("""{"ip":"2001:db8::1","reason":"r","banned_at":"2026-11-24T08:00:00Z","expires_at":"2026-11-24T10:00:00+01:00","strikes":3}"""u8);

        Assert.Equal("2001:db8::1", ban.Ip);
        Assert.Equal(new DateTime(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc), ban.ExpiresAt);
        Assert.True(ban.IsActiveAt(new DateTimeOffset(2026, 11, 24, 8, 59, 59, TimeSpan.Zero)));
        Assert.False(ban.IsActiveAt(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8::1", "2001_db8__1")]
    [InlineData("fe80::1%2", "fe80__1")]
    public void One_client_has_one_key_of_allowed_characters(string address, string key) =>
        Assert.Equal(key, BanEntry.KeyFor(IPAddress.Parse(address)));
}
