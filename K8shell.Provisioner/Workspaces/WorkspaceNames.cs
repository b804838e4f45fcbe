using Grpc.Core;

namespace K8shell.Provisioner.Workspaces;

/// <summary>Workspace names are canonical IDs (or pod names): DNS labels, which also makes them safe as folder names.</summary>
internal static class WorkspaceNames
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && name[0] != '-' && name[^1] != '-';

    public static string Checked(string name) => IsValid(name)
        ? name
        : throw new RpcException(new Status(StatusCode.InvalidArgument, $"\"{name}\" is not a workspace name (a canonical ID such as alice-59936c3)"));
}
