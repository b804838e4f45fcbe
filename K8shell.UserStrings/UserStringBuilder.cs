namespace K8shell.UserStrings;

/// <summary>
/// Builds a user string from fields, the client side of the grammar (product reference §2.5): the CLI's
/// <c>k8shell workspace ssh|scp|code</c>. Fields are trimmed and empty ones ignored; the result is parsed
/// before it is returned, so the parser stays the one judge of what is valid.
/// </summary>
public sealed record UserStringBuilder
{
    public required string Username { get; init; }

    /// <summary>An explicit blueprint; excludes the repo fields and <see cref="Pod"/>.</summary>
    public string? Blueprint { get; init; }

    /// <summary>Defaults to <see cref="Username"/> when only <see cref="RepoName"/> is given.</summary>
    public string? RepoOwner { get; init; }

    public string? RepoName { get; init; }

    public string? Ref { get; init; }

    /// <summary>The <c>user=</c> override; needs a blueprint, repo or pod, since the implicit form cannot carry it.</summary>
    public string? AsUser { get; init; }

    public string? Pod { get; init; }

    public string? Namespace { get; init; }

    public string? WorkloadKind { get; init; }

    public string? WorkloadName { get; init; }

    /// <summary>The user string to put before the <c>@</c>, with every reserved character in a value escaped.</summary>
    /// <exception cref="UserStringException">The fields do not make a valid user string; the message says why.</exception>
    public string Build()
    {
        var raw = Compose();
        UserStringParser.Parse(raw);
        return raw;
    }

    /// <summary>
    /// <see cref="Build"/> wrapped as <c>b64-</c> + base64url without padding: for clients that mangle
    /// <c>~</c>, <c>%</c> or <c>/</c> in a user name (VS Code Remote-SSH, scp).
    /// </summary>
    public string BuildBase64() => Wrap(Build());

    /// <summary>Wraps any user string in the <c>b64-</c> form; the parser takes the limit on the text inside.</summary>
    public static string Wrap(string userString)
    {
        ArgumentNullException.ThrowIfNull(userString);
        return "b64-" + Base64UrlText.Encode(userString);
    }

    /// <summary>Builds and parses in one step.</summary>
    public UserString ToUserString() => UserStringParser.Parse(Compose());

    private string Compose()
    {
        var username = GoText.ToLower(Field(Username) ?? throw Invalid("username is required"));
        if (username.Contains('~'))
        {
            throw Invalid("username cannot contain '~'");
        }

        if (username.StartsWith("b64-", StringComparison.Ordinal) || username.StartsWith("base64-", StringComparison.Ordinal))
        {
            throw Invalid("username cannot start with b64- or base64- (it would read as a base64 wrapper)");
        }

        var blueprint = Field(Blueprint);
        var owner = Lower(RepoOwner);
        var repoName = Lower(RepoName);
        var gitRef = Lower(Ref);
        var asUser = Lower(AsUser);
        var pod = Lower(Pod);
        var ns = Lower(Namespace);
        var kind = Lower(WorkloadKind);
        var workloadName = Lower(WorkloadName);

        if ((kind is null) != (workloadName is null))
        {
            throw Invalid("workload needs both a kind and a name");
        }

        var hasRepo = owner is not null || repoName is not null || gitRef is not null;
        if (hasRepo && blueprint is not null)
        {
            throw Invalid("a blueprint cannot be combined with repo fields");
        }

        if (hasRepo && pod is not null)
        {
            throw Invalid("pod cannot be combined with repo");
        }

        if (hasRepo && repoName is null)
        {
            throw Invalid("repo name is required with repo owner or ref");
        }

        if (owner is not null && owner.Contains('/'))
        {
            throw Invalid("repo owner cannot contain '/'");
        }

        if (pod is not null && blueprint is not null)
        {
            throw Invalid("pod cannot be combined with a blueprint");
        }

        if (kind is not null && !hasRepo && blueprint is null)
        {
            throw Invalid("workload needs a repo or a blueprint");
        }

        if (kind is not null && kind.Contains('/'))
        {
            throw Invalid("workload kind cannot contain '/'");
        }

        if (ns is not null && kind is null && pod is null)
        {
            throw Invalid("ns needs a workload or a pod");
        }

        if (asUser is not null && !hasRepo && blueprint is null && pod is null)
        {
            throw Invalid("user= needs a blueprint, repo or pod: the implicit form cannot carry it");
        }

        var parts = new List<string>();
        if (hasRepo)
        {
            parts.Add(Parameter(ParameterList.Repo, $"{owner ?? username}/{repoName}"));
            AddIfSet(parts, ParameterList.Ref, gitRef);
        }
        else if (blueprint is not null)
        {
            parts.Add(PercentEncoding.Escape(blueprint));
        }
        else if (pod is not null)
        {
            parts.Add(Parameter(ParameterList.Pod, pod));
        }
        else
        {
            return username;
        }

        if (kind is not null)
        {
            parts.Add(Parameter(ParameterList.Workload, $"{kind}/{workloadName}"));
        }

        AddIfSet(parts, ParameterList.Namespace, ns);
        AddIfSet(parts, ParameterList.User, asUser);
        return $"{username}~{string.Join('+', parts)}";
    }

    private static string? Field(string? value) => value is null || GoText.TrimSpace(value) is not { Length: > 0 } trimmed ? null : trimmed;

    /// <summary>The parser lower-cases every parameter value; doing it here makes the string say what it will mean.</summary>
    private static string? Lower(string? value) => Field(value) is { } field ? GoText.ToLower(field) : null;

    private static string Parameter(string key, string value) => $"{key}={PercentEncoding.Escape(value)}";

    private static void AddIfSet(List<string> parts, string key, string? value)
    {
        if (value is not null)
        {
            parts.Add(Parameter(key, value));
        }
    }

    private static UserStringException Invalid(string detail) => UserStringException.Invalid(detail);
}
