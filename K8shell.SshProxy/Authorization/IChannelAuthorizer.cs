namespace K8shell.SshProxy.Authorization;

/// <summary>
/// The policy (SPEC.md §4) for one connection: its subject (from the user's JWT) and resource (the
/// workspace) are bound; each channel or request brings its action and context.
/// </summary>
internal interface IChannelAuthorizer
{
    /// <summary>
    /// Decides <paramref name="action"/> (<c>ssh:shell</c>, <c>ssh:exec</c>, <c>ssh:sftp</c>,
    /// <c>ssh:direct-tcpip</c>, <c>ssh:direct-streamlocal</c>, <c>ssh:agent-forward</c>,
    /// <c>ssh:tcpip-forward</c>, <c>session:start</c>). An evaluation error is a denial.
    /// </summary>
    ValueTask<PolicyDecision> AuthorizeAsync(string action, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken);
}

/// <summary>A policy's answer: allowed or not, why (shown to the user on denial), and obligations such as <c>record</c>.</summary>
internal sealed record PolicyDecision(bool Allowed, string Reason, IReadOnlyDictionary<string, string> Obligations)
{
    public const string RecordObligation = "record";

    public static PolicyDecision Allow() => new(true, "", new Dictionary<string, string>());

    public static PolicyDecision Deny(string reason) => new(false, reason, new Dictionary<string, string>());
}
