using System.Net;
using K8shell.Shield.Detection;
using K8shell.Shield.State;
using K8shell.Testing;
using Microsoft.Extensions.Options;

namespace K8shell.Shield.Tests.Detection;

/// <summary>The detection algorithm of the reference §6.3 on a clock the test sets.</summary>
public sealed class FailureDetectorTests
{
    private readonly SettableTime _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    private static FailureDetector Detector(Action<ShieldOptions>? configure = null)
    {
        var options = new ShieldOptions();
        configure?.Invoke(options);
        return new FailureDetector(Options.Create(options));
    }

    /// <summary>Counts <paramref name="count"/> failures one second apart starting now; the last verdict.</summary>
    private Verdict Fail(FailureDetector detector, ref IpRecord? record, int count)
    {
        Verdict verdict = null!;
        for (var i = 0; i < count; i++)
        {
            verdict = detector.Count(record, _time.Now, _time.Now);
            record = verdict.Record;
            _time.Now += TimeSpan.FromSeconds(1);
        }
        return verdict;
    }

    [Fact]
    public void The_threshold_within_the_window_bans_and_one_less_does_not()
    {
        var detector = Detector();
        IpRecord? record = null;

        Assert.Null(Fail(detector, ref record, 3).Ban);
        var verdict = Fail(detector, ref record, 1);

        Assert.Equal(new BanDecision(1, TimeSpan.FromMinutes(1), 4, TimeSpan.FromMinutes(5)), verdict.Ban);
        Assert.Empty(verdict.Record.Failures);
        Assert.Equal(1, verdict.Record.Strikes);
    }

    [Fact]
    public void Failures_older_than_the_window_are_not_counted()
    {
        var detector = Detector();
        IpRecord? record = null;

        Fail(detector, ref record, 3);
        _time.Now += TimeSpan.FromMinutes(5);
        var verdict = Fail(detector, ref record, 1);

        Assert.Null(verdict.Ban);
        Assert.Single(verdict.Record.Failures);
    }

    [Fact]
    public void A_failure_already_outside_the_window_when_seen_is_not_counted()
    {
        var detector = Detector(options => options.Threshold = 1);

        var verdict = detector.Count(null, _time.Now - TimeSpan.FromMinutes(6), _time.Now);

        Assert.Null(verdict.Ban);
        Assert.Empty(verdict.Record.Failures);
    }

    [Fact]
    public void Each_strike_lowers_the_threshold_down_to_one()
    {
        var detector = Detector();
        IpRecord? record = null;

        Fail(detector, ref record, 4);
        Assert.Null(Fail(detector, ref record, 2).Ban);
        Assert.Equal(2, Fail(detector, ref record, 1).Ban?.Strike);
        Assert.Equal(3, Fail(detector, ref record, 2).Ban?.Strike);
        Assert.Equal(4, Fail(detector, ref record, 1).Ban?.Strike);
        Assert.Equal(5, Fail(detector, ref record, 1).Ban?.Strike);
        Assert.Equal(1, detector.ThresholdFor(10));
    }

    [Fact]
    public void Without_decreasing_threshold_every_strike_needs_the_full_threshold()
    {
        var detector = Detector(options => options.DecreasingThreshold = false);
        IpRecord? record = null;

        Fail(detector, ref record, 4);
        Assert.Null(Fail(detector, ref record, 3).Ban);
        Assert.Equal(2, Fail(detector, ref record, 1).Ban?.Strike);
    }

    [Fact]
    public void The_schedule_gives_strike_n_the_nth_duration_and_repeats_the_last()
    {
        var detector = Detector();

        Assert.Equal(
            [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
             TimeSpan.FromHours(6), TimeSpan.FromHours(24), TimeSpan.FromHours(72), TimeSpan.FromHours(72), TimeSpan.FromHours(72)],
            Enumerable.Range(1, 9).Select(detector.DurationOf));
    }

    [Fact]
    public void Successive_bans_follow_the_schedule()
    {
        var detector = Detector(options => options.BanSchedule = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)]);
        IpRecord? record = null;

        var durations = new List<TimeSpan?>();
        for (var strike = 1; strike <= 4; strike++)
        {
            durations.Add(Fail(detector, ref record, detector.ThresholdFor(strike - 1)).Ban?.Duration);
        }

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20)], durations);
    }

    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("::ffff:203.0.113.200", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("203.0.114.1", false)]
    public void Whitelisted_addresses_are_recognised(string address, bool whitelisted)
    {
        var detector = Detector(options => options.Whitelist = ["203.0.113.0/24", "2001:db8::/32"]);

        Assert.Equal(whitelisted, detector.IsWhitelisted(IPAddress.Parse(address)));
    }
}
