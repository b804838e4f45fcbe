namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// The labels and annotations of reference §7.5 that name a workspace's Kubernetes objects (pods,
/// services, volume claims, config maps). Values are what Kubernetes label values allow (the user
/// string itself goes base64 into an annotation).
/// </summary>
public static class WorkspaceLabels
{
    public const string Prefix = "k8shell.io/";
    public const string CanonicalId = Prefix + "canonical-id";
    public const string Blueprint = Prefix + "blueprint";
    public const string JobId = Prefix + "job-id";
    public const string Username = Prefix + "username";
    public const string Organization = Prefix + "organization";
    public const string NetworkPolicy = Prefix + "network-policy";
    public const string K8shelldVersion = Prefix + "k8shelld-version";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "k8shell-provisioner";

    /// <summary>Annotation: the canonical user string, base64.</summary>
    public const string UserStr = Prefix + "userstr";

    /// <summary>Annotation: <c>&lt;provider&gt;/&lt;organization&gt;</c>.</summary>
    public const string Identity = Prefix + "identity";

    /// <summary>Annotation: SHA-256 of what was applied, to tell an unchanged workspace from a changed one.</summary>
    public const string ManifestHash = Prefix + "manifest-hash";
}
