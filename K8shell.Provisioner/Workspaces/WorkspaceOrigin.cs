using K8shell.Contracts.Provisioner.V1;
using K8shell.UserStrings;

namespace K8shell.Provisioner.Workspaces;

/// <summary>Where a workspace comes from, as <see cref="Workspace"/> reports it: the repository fields and <c>origin</c> ("owner/name", else the blueprint).</summary>
internal static class WorkspaceOrigin
{
    public static Workspace WithOrigin(this Workspace workspace, UserString? userString)
    {
        if (userString?.Form == UserStringForm.Repo)
        {
            workspace.RepoOwner = userString.RepoOwner ?? "";
            workspace.RepoName = userString.RepoName ?? "";
            workspace.RepoRef = userString.Ref ?? "";
            workspace.Origin = $"{workspace.RepoOwner}/{workspace.RepoName}";
        }
        else
        {
            workspace.Origin = workspace.Blueprint;
        }
        return workspace;
    }
}
