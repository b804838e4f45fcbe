namespace K8shell.Shield.Tests;

/// <summary>A clock the test moves (timers still run on real time): windows and idle times without waiting for them.</summary>
internal sealed class SettableTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
