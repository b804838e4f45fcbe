namespace K8shell.SshProxy.Tests.Admission;

/// <summary>A clock the test moves (timers still run on real time): a ban's expiry without waiting for it.</summary>
internal sealed class SettableTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => Now;
}
