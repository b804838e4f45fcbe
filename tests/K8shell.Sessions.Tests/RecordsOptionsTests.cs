using K8shell.Testing;

namespace K8shell.Sessions.Tests;

/// <summary>Janitor and retention settings that make no sense stop Sessions at start, naming the key.</summary>
public sealed class RecordsOptionsTests
{
    [Theory]
    [InlineData("Sessions:Janitor:Ttl", "00:00:00", "Sessions:Janitor:Ttl must be positive")]
    [InlineData("Sessions:Janitor:Interval", "-00:00:01", "Sessions:Janitor:Interval must be positive")]
    [InlineData("Sessions:Janitor:BatchSize", "0", "Sessions:Janitor:BatchSize must be from 1 to 10000")]
    [InlineData("Sessions:Retention:MaxAge", "-1.00:00:00", "Sessions:Retention:MaxAge must be from 0 (keep everything) to 36500 days")]
    [InlineData("Sessions:Retention:MaxAge", "36501.00:00:00", "Sessions:Retention:MaxAge must be from 0 (keep everything) to 36500 days")]
    [InlineData("Sessions:Retention:Interval", "00:00:00", "Sessions:Retention:Interval must be positive")]
    [InlineData("Sessions:Retention:BatchSize", "10001", "Sessions:Retention:BatchSize must be from 1 to 10000")]
    public async Task A_setting_out_of_range_stops_sessions_at_start_naming_it(string key, string value, string message)
    {
        using var store = await new SqliteRecords().NewStoreAsync();
        var environment = RecordsService.Environment(store, new Dictionary<string, string?> { [key] = value });

        await using var refused = ServiceProcess.Launch("K8shell.Sessions", "K8shell.Sessions", servesGrpc: true, environment, out _, out _);

        Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(message, refused.Output);
    }
}
