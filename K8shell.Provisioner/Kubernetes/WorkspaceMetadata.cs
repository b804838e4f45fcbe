using System.Text;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>The labels and annotations of reference §7.5 that every object of a workspace carries.</summary>
internal static class WorkspaceMetadata
{
    /// <summary>What every object of the workspace is labelled with; the canonical ID is what delete goes by.</summary>
    public static Dictionary<string, string> Labels(WorkspaceSpec spec) => new()
    {
        [WorkspaceLabels.CanonicalId] = spec.Name,
        [WorkspaceLabels.ManagedBy] = WorkspaceLabels.ManagedByValue,
        [WorkspaceLabels.Blueprint] = LabelValue.Of(spec.Blueprint.Name),
        [WorkspaceLabels.Username] = LabelValue.Of(spec.Owner.Username),
        [WorkspaceLabels.Organization] = LabelValue.Of(spec.Owner.Organization),
    };

    /// <summary>
    /// The exact user string and organization, which labels cannot hold, on the pod and the daemon's config
    /// map (so a stopped workspace can still be described). <c>k8shell.io/identity</c> is the organization
    /// alone: the reference's <c>&lt;provider&gt;/</c> prefix needs the owner's Identity source, which
    /// <see cref="WorkspaceOwner"/> does not carry.
    /// </summary>
    public static Dictionary<string, string> Annotations(WorkspaceSpec spec) => new()
    {
        [WorkspaceLabels.UserStr] = Convert.ToBase64String(Encoding.UTF8.GetBytes(spec.UserString.Canonical)),
        [WorkspaceLabels.Identity] = spec.Owner.Organization,
    };

    /// <summary>The label selector for everything of one workspace.</summary>
    public static string Selector(string id) => $"{WorkspaceLabels.CanonicalId}={id}";

    /// <summary>The label selector for everything of every workspace this Provisioner made.</summary>
    public static string AllSelector => $"{WorkspaceLabels.CanonicalId},{WorkspaceLabels.ManagedBy}={WorkspaceLabels.ManagedByValue}";
}
