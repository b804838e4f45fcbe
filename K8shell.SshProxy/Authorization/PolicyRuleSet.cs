namespace K8shell.SshProxy.Authorization;

/// <summary>
/// Ordered rules, the first that matches decides; <see cref="Default"/> when none does. Immutable: a reload
/// replaces the whole set, so one evaluation never sees half of an edit.
/// </summary>
internal sealed record PolicyRuleSet(IReadOnlyList<PolicyRule> Rules, PolicyEffect Default)
{
    /// <summary>
    /// No rules file and no evaluator (SPEC.md §4, reference §4.5): everything is allowed except acting as
    /// root for a user without sudo.
    /// </summary>
    public static PolicyRuleSet BuiltIn { get; } = new(
    [
        new PolicyRule
        {
            Line = 0,
            Name = "built-in: root needs sudo",
            Sudo = false,
            Context = new Dictionary<string, IReadOnlyList<PolicyPattern>> { ["as_user"] = [new PolicyPattern("root")] },
            Effect = PolicyEffect.Deny,
            Reason = "root needs sudo",
        },
    ], PolicyEffect.Allow);

    public PolicyDecision Decide(PolicyInput input) =>
        Rules.FirstOrDefault(rule => rule.Matches(input)) is { } rule ? rule.Decide()
        : Default == PolicyEffect.Allow ? PolicyDecision.Allow()
        : PolicyDecision.Deny($"no policy rule allows {input.Action}");
}
