namespace K8shell.UserStrings;

/// <summary>
/// A parsed SSH user name: who logs in and which workspace they want. Made only by
/// <see cref="UserStringParser"/> (and <see cref="WithBlueprint"/>), so its fields always agree with its
/// <see cref="Form"/>; absent parts are null, never empty.
/// </summary>
public sealed record UserString
{
    internal UserString()
    {
    }

    /// <summary>The K8shell user, lower-cased; what Identity looks up.</summary>
    public string Username { get; internal init; } = "";

    public UserStringForm Form { get; internal init; }

    public BlueprintKind BlueprintKind { get; internal init; }

    /// <summary>Case preserved for an explicit blueprint; <c>repo-&lt;owner&gt;-&lt;name&gt;</c> for the repo form; null until an implicit string is resolved.</summary>
    public string? Blueprint { get; internal init; }

    /// <summary>Repo form only; defaults to <see cref="Username"/> when the string names a bare repo.</summary>
    public string? RepoOwner { get; internal init; }

    public string? RepoName { get; internal init; }

    /// <summary>Branch, tag or commit of the repo form (lower-cased, like every parameter value).</summary>
    public string? Ref { get; internal init; }

    /// <summary>The <c>user=</c> override: the OS user to run as inside the container, authorized as <c>as_user</c>.</summary>
    public string? AsUser { get; internal init; }

    /// <summary>Named form only: the existing pod to attach to.</summary>
    public string? Pod { get; internal init; }

    /// <summary>With a pod, where it lives; otherwise the namespace of <see cref="WorkloadName"/>. Never part of the canonical key.</summary>
    public string? Namespace { get; internal init; }

    /// <summary>Workload injection: <c>deployment</c>, <c>statefulset</c> or <c>daemonset</c> (not checked here; the Provisioner does).</summary>
    public string? WorkloadKind { get; internal init; }

    public string? WorkloadName { get; internal init; }

    /// <summary>The input exactly as received, wrapper and all; for logs.</summary>
    public string Raw { get; internal init; } = "";

    /// <summary>What the canonical ID hashes, e.g. <c>u=alice|bp=dev</c>; the namespace and the <c>user=</c> override are not in it.</summary>
    public string CanonicalKey => CanonicalForm.Key(this);

    /// <summary><c>&lt;username&gt;-&lt;7 hex of SHA-256(key)&gt;</c>, e.g. <c>alice-59936c3</c>: pod and Helm release name, prefix of injected resources.</summary>
    public string CanonicalId => CanonicalForm.Id(Username, CanonicalKey);

    /// <summary>The pod for the named form, empty for workload injection (any pod of the workload will do), otherwise the canonical ID.</summary>
    public string WorkspaceName => Form == UserStringForm.Named ? Pod! : WorkloadKind is not null ? "" : CanonicalId;

    /// <summary>
    /// The one spelling of this request that the proxy sends to the Provisioner: parsing it gives back the
    /// same fields, so it is a fixed point. The implicit form is just the username.
    /// </summary>
    public string Canonical => CanonicalForm.Render(this);

    /// <summary>
    /// Resolves an implicit string to the blueprint the Provisioner chose (the user's first allowed
    /// non-template blueprint). The result has the blueprint form, so its canonical ID and canonical
    /// string are those of the chosen blueprint; <see cref="BlueprintKind"/> stays
    /// <see cref="BlueprintKind.Implicit"/> to record that the user did not name it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The string is not implicit, or is already resolved.</exception>
    /// <exception cref="UserStringException">The canonical string would exceed <see cref="UserStringParser.MaxLength"/>.</exception>
    public UserString WithBlueprint(string blueprint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(blueprint);
        if (Form != UserStringForm.Implicit)
        {
            throw new InvalidOperationException($"only an implicit user string has a blueprint to resolve; this one has the {Form} form");
        }

        var resolved = this with { Form = UserStringForm.Blueprint, Blueprint = blueprint };
        UserStringParser.EnsureCanonicalFits(resolved);
        return resolved;
    }

    /// <summary>The fields as a builder, to change one and build a new string (the CLI's path).</summary>
    public UserStringBuilder ToBuilder() => new()
    {
        Username = Username,
        Blueprint = BlueprintKind == BlueprintKind.Custom ? null : Blueprint,
        RepoOwner = RepoOwner,
        RepoName = RepoName,
        Ref = Ref,
        AsUser = AsUser,
        Pod = Pod,
        Namespace = Namespace,
        WorkloadKind = WorkloadKind,
        WorkloadName = WorkloadName,
    };
}
