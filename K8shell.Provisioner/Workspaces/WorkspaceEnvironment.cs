namespace K8shell.Provisioner.Workspaces;

/// <summary>The variables every workspace process gets (reference §7.5): who and what the workspace is, then the blueprint's <c>env</c>.</summary>
internal static class WorkspaceEnvironment
{
    public static Dictionary<string, string> Of(WorkspaceSpec spec)
    {
        var environment = new Dictionary<string, string>
        {
            ["WORKSPACE"] = spec.Name,
            ["BLUEPRINT"] = spec.Blueprint.Name,
            ["IMAGE"] = spec.Blueprint.Image,
            ["USERNAME"] = spec.Owner.Username,
            ["USEREMAIL"] = spec.Owner.Email,
            ["USERFULLNAME"] = spec.Owner.FullName,
        };
        foreach (var (name, value) in spec.Blueprint.Env)
        {
            environment[name] = value;
        }
        return environment;
    }
}
