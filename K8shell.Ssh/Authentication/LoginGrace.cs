using System.Diagnostics;

namespace K8shell.Ssh.Authentication;

/// <summary>
/// The login grace time of one handshake (OpenSSH's LoginGraceTime): a token cancelled at the deadline. The host may
/// push the deadline back while a person answers a prompt somewhere else (a device flow in a browser), never bring
/// it forward; how far is the host's policy, not the library's.
/// </summary>
internal sealed class LoginGrace : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly long _started = Stopwatch.GetTimestamp();

    public LoginGrace(TimeSpan allowed, CancellationToken cancellationToken)
    {
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Allowed = allowed;
        _deadline.CancelAfter(allowed);
    }

    /// <summary>Cancelled when the grace runs out (or the caller's token is).</summary>
    public CancellationToken Token => _deadline.Token;

    /// <summary>The whole time granted so far, from the accept: the configured grace, or more once extended.</summary>
    public TimeSpan Allowed { get; private set; }

    /// <summary>Leaves at least <paramref name="remaining"/> from now, unless the grace already leaves more or has run out.</summary>
    public void ExtendTo(TimeSpan remaining)
    {
        var wanted = Stopwatch.GetElapsedTime(_started) + remaining;
        if (wanted <= Allowed || _deadline.IsCancellationRequested)
        {
            return;
        }
        Allowed = wanted;
        _deadline.CancelAfter(remaining);
    }

    public void Dispose() => _deadline.Dispose();
}
