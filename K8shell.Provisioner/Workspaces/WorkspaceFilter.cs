using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Workspaces;

/// <summary>GetWorkspaces' filters: each one given must match.</summary>
internal static class WorkspaceFilter
{
    public static bool Matches(GetWorkspacesRequest request, Workspace workspace) =>
        Field(request.Workspace, workspace.Name)
        && (request.Usernames.Count == 0 || request.Usernames.Contains(workspace.Username))
        && Field(request.Organization, workspace.Organization)
        && Field(request.Blueprint, workspace.Blueprint)
        && Field(request.RepoName, workspace.RepoName)
        && Field(request.RepoOwner, workspace.RepoOwner)
        && Field(request.RepoRef, workspace.RepoRef)
        && (request.Status == WorkspaceStatus.Unspecified || request.Status == workspace.WorkspaceStatus.Status);

    private static bool Field(string wanted, string actual) => wanted.Length == 0 || wanted == actual;
}
