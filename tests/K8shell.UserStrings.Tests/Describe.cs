namespace K8shell.UserStrings.Tests;

/// <summary>A one-line, order-fixed picture of a user string's fields, so tables of expectations stay readable.</summary>
internal static class Describe
{
    /// <summary>Username, form and blueprint kind, then each field that is set, e.g. <c>alice Blueprint Explicit bp=dev user=root</c>.</summary>
    public static string Fields(UserString u) => Fields(u.Username, u.Form, u.BlueprintKind, u.Blueprint, u.RepoOwner, u.RepoName, u.Ref,
        u.Pod, u.Namespace, u.WorkloadKind, u.WorkloadName, u.AsUser);

    public static string Fields(string username, UserStringForm form, BlueprintKind kind, string? blueprint, string? owner, string? repo,
        string? gitRef, string? pod, string? ns, string? workloadKind, string? workloadName, string? asUser)
    {
        var parts = new List<string> { username, form.ToString(), kind.ToString() };
        Add(parts, "bp", blueprint);
        Add(parts, "owner", owner);
        Add(parts, "repo", repo);
        Add(parts, "ref", gitRef);
        Add(parts, "pod", pod);
        Add(parts, "ns", ns);
        Add(parts, "kind", workloadKind);
        Add(parts, "workload", workloadName);
        Add(parts, "user", asUser);
        return string.Join(' ', parts);
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{name}={value}");
        }
    }
}
