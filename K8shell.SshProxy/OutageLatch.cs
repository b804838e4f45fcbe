namespace K8shell.SshProxy;

/// <summary>
/// Whether a dependency (Sessions, NATS) is known to be failing for one of the proxy's senders, so an outage is logged
/// when it begins (and, where the sender says so, when it ends), not at every retry.
/// </summary>
internal sealed class OutageLatch
{
    private int _down;

    /// <summary>True for the first failure of an outage: the one to log.</summary>
    public bool Fail() => Interlocked.Exchange(ref _down, 1) == 0;

    /// <summary>True for the first success after an outage: the one to log.</summary>
    public bool Recover() => Interlocked.Exchange(ref _down, 0) == 1;
}
