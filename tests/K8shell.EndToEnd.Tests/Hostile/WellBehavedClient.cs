using System.Diagnostics;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>
/// The client every attack must leave alone: OpenSSH from 127.0.0.1 (attackers use other loopback addresses, so
/// per-address limits and Shield's bans never hit it) logging in and running a command while the attack goes on.
/// Its latency goes to the test's output, to compare with a quiet gateway; the test asserts only that it succeeded.
/// </summary>
internal static class WellBehavedClient
{
    public static async Task<TimeSpan> LogInAsync(Gateway gateway, string during)
    {
        var clock = Stopwatch.StartNew();
        var (exitCode, output, errors) = await gateway.SshAsync("echo still-served");
        clock.Stop();
        Assert.True(exitCode == 0 && output == "still-served\n", $"the well-behaved client failed during {during}: exit {exitCode}, output '{output}', errors: {errors}");
        TestContext.Current.TestOutputHelper?.WriteLine($"well-behaved client during {during}: logged in and ran a command in {clock.ElapsedMilliseconds} ms");
        return clock.Elapsed;
    }
}
