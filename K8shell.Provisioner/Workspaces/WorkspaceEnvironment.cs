using K8shell.UserStrings;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// The variables every workspace process gets (reference §7.5): the blueprint's <c>env</c>, then those that
/// say what the workspace is, which win — image, name, blueprint, owner, and <c>GIT_*</c> for repository
/// workspaces. Sorted, so the same spec always renders the same (the Kubernetes manifest hash relies on it).
/// </summary>
internal static class WorkspaceEnvironment
{
    public static SortedDictionary<string, string> Of(WorkspaceSpec spec, string image)
    {
        var variables = new SortedDictionary<string, string>(spec.Blueprint.Env.ToDictionary(), StringComparer.Ordinal)
        {
            ["IMAGE"] = image,
            ["WORKSPACE"] = spec.Name,
            ["BLUEPRINT"] = spec.Blueprint.Name,
            ["USERNAME"] = spec.Owner.Username,
            ["USEREMAIL"] = spec.Owner.Email,
            ["USERFULLNAME"] = spec.Owner.FullName,
        };
        if (spec.UserString.Form == UserStringForm.Repo)
        {
            variables["GIT_REPOOWNER"] = spec.UserString.RepoOwner ?? "";
            variables["GIT_REPONAME"] = spec.UserString.RepoName ?? "";
            if (spec.UserString.Ref is { } reference)
            {
                variables["GIT_REPOREF"] = reference;
            }
        }
        return variables;
    }
}
