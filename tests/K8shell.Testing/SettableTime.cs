namespace K8shell.Testing;

/// <summary>A clock the test moves (timers still run on real time): windows, expiries and idle times without waiting for them.</summary>
public sealed class SettableTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
