namespace K8shell.SshProxy.Authorization;

/// <summary>
/// The policy for one connection: the subject (the user's token) and the workspace's owner are bound when the
/// connection is authenticated; the workspace's name and blueprint are read at each decision, because the
/// workspace may only be known once the first channel has found or provisioned it (until then the resource id
/// is empty and the blueprint left out).
/// </summary>
internal sealed class ConnectionAuthorizer(PolicyEngine engine, PolicySubject subject, string owner, Func<(string Workspace, string Blueprint)?> workspace)
    : IChannelAuthorizer
{
    /// <summary>
    /// For <paramref name="username"/> with the token Identity issued them (<see cref="PolicySubject.FromToken"/>;
    /// a malformed token throws <see cref="FormatException"/>).
    /// </summary>
    public static ConnectionAuthorizer ForUser(PolicyEngine engine, string userToken, string username, Func<(string Workspace, string Blueprint)?> workspace) =>
        new(engine, PolicySubject.FromToken(userToken), username, workspace);

    public PolicySubject Subject { get; } = subject;

    public ValueTask<PolicyDecision> AuthorizeAsync(string action, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken)
    {
        var current = workspace();
        var resource = PolicyResource.Workspace(current?.Workspace ?? "", owner, current?.Blueprint);
        // Contract: context keys only when they have a value.
        var given = context.Where(entry => entry.Value.Length > 0).ToDictionary();
        return engine.EvaluateAsync(new PolicyInput(action, resource, given, Subject), cancellationToken);
    }
}
