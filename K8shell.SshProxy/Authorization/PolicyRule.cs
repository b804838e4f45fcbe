namespace K8shell.SshProxy.Authorization;

/// <summary>What a rule does when it matches.</summary>
internal enum PolicyEffect
{
    Allow,
    Deny,
}

/// <summary>
/// One rule of a rules file: it matches when every matcher it gives holds (an empty list does not look),
/// each matcher holding when any of its values does. Then <see cref="Effect"/> decides, with
/// <see cref="Reason"/> for the user on denial and <see cref="Obligations"/> on allow.
/// </summary>
internal sealed record PolicyRule
{
    /// <summary>Where the rule starts in its file (0 for the built-in rule), for logs and default reasons.</summary>
    public required int Line { get; init; }

    /// <summary>The operator's name for it, optional.</summary>
    public string? Name { get; init; }

    public IReadOnlyList<PolicyPattern> Actions { get; init; } = [];

    /// <summary>The subject has at least one role matching one of these.</summary>
    public IReadOnlyList<PolicyPattern> Roles { get; init; } = [];

    public IReadOnlyList<PolicyPattern> Usernames { get; init; } = [];

    public IReadOnlyList<PolicyPattern> Organizations { get; init; } = [];

    /// <summary>The subject's <c>sudo</c> must be this; null does not look.</summary>
    public bool? Sudo { get; init; }

    public IReadOnlyList<PolicyPattern> Owners { get; init; } = [];

    public IReadOnlyList<PolicyPattern> Blueprints { get; init; } = [];

    /// <summary>Per context key, the values accepted; a key the action did not give counts as empty text.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PolicyPattern>> Context { get; init; } = new Dictionary<string, IReadOnlyList<PolicyPattern>>();

    public required PolicyEffect Effect { get; init; }

    /// <summary>Shown to the user on denial; empty gives a reason naming the rule.</summary>
    public string Reason { get; init; } = "";

    public IReadOnlyDictionary<string, string> Obligations { get; init; } = new Dictionary<string, string>();

    public bool Matches(PolicyInput input)
    {
        var subject = input.Subject;
        return Actions.AnyMatches(input.Action, subject)
            && Roles.AnyMatchesOneOf(subject.Roles, subject)
            && Usernames.AnyMatches(subject.Username, subject)
            && Organizations.AnyMatches(subject.Organization, subject)
            && (Sudo is not { } sudo || sudo == subject.Sudo)
            && Owners.AnyMatches(input.Resource.Attribute(PolicyResource.OwnerAttribute), subject)
            && Blueprints.AnyMatches(input.Resource.Attribute(PolicyResource.BlueprintAttribute), subject)
            && Context.All(expected => expected.Value.AnyMatches(input.ContextValue(expected.Key), subject));
    }

    public PolicyDecision Decide() => Effect == PolicyEffect.Allow
        ? new PolicyDecision(true, "", Obligations)
        : PolicyDecision.Deny(Reason.Length > 0 ? Reason : $"denied by policy rule {Describe()}");

    /// <summary>"'admins' (line 12)" or "at line 12".</summary>
    public string Describe() => Name is { Length: > 0 } name ? $"'{name}' (line {Line})" : $"at line {Line}";
}
