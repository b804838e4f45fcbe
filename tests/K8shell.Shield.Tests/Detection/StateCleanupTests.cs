using K8shell.Shield.Detection;
using Microsoft.Extensions.Options;

namespace K8shell.Shield.Tests.Detection;

/// <summary>Which address records idle cleanup and the state cap drop.</summary>
public sealed class StateCleanupTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    private static StateCleanup Cleanup(TimeSpan idle, int max) =>
        new(Options.Create(new ShieldOptions { IdleCleanup = idle, MaxIpState = max }));

    [Fact]
    public void Records_idle_for_the_cleanup_time_are_dropped()
    {
        var dropped = Cleanup(TimeSpan.FromHours(12), 0).Select(
            [("old", Now - TimeSpan.FromHours(12)), ("older", Now - TimeSpan.FromDays(2)), ("recent", Now - TimeSpan.FromHours(11))], Now);

        Assert.Equal(["old", "older"], dropped);
    }

    [Fact]
    public void Zero_idle_cleanup_keeps_everything()
    {
        Assert.Empty(Cleanup(TimeSpan.Zero, 0).Select([("ancient", Now - TimeSpan.FromDays(365))], Now));
    }

    [Fact]
    public void Past_the_cap_the_least_recently_seen_are_dropped()
    {
        var dropped = Cleanup(TimeSpan.FromHours(12), 2).Select(
            [("a", Now - TimeSpan.FromMinutes(3)), ("b", Now - TimeSpan.FromMinutes(1)), ("c", Now - TimeSpan.FromMinutes(5)), ("d", Now), ("idle", Now - TimeSpan.FromDays(1))], Now);

        Assert.Equal(["idle", "c", "a"], dropped);
    }
}
