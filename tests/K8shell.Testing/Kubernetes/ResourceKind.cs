namespace K8shell.Testing.Kubernetes;

/// <summary>
/// One kind of object the emulator serves: where it lives in the URL space and the few ways the
/// real API server treats kinds differently (status subresource, what a delete answers with).
/// </summary>
internal sealed record ResourceKind(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    bool HasStatus,
    bool ReturnsDeletedObject)
{
    public static readonly ResourceKind Pods = new("", "v1", "pods", "Pod", true, true, true);
    public static readonly ResourceKind Services = new("", "v1", "services", "Service", true, true, true);
    public static readonly ResourceKind ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true, false, false);
    public static readonly ResourceKind Secrets = new("", "v1", "secrets", "Secret", true, false, false);
    public static readonly ResourceKind PersistentVolumeClaims = new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, true);
    public static readonly ResourceKind Events = new("", "v1", "events", "Event", true, false, false);
    public static readonly ResourceKind Namespaces = new("", "v1", "namespaces", "Namespace", false, true, true);
    public static readonly ResourceKind NetworkPolicies = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, false, false);

    public static IReadOnlyList<ResourceKind> All { get; } =
        [Pods, Services, ConfigMaps, Secrets, PersistentVolumeClaims, Events, Namespaces, NetworkPolicies];

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>How error messages name the resource: <c>pods</c>, <c>networkpolicies.networking.k8s.io</c>.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public static ResourceKind? Find(string group, string version, string plural) =>
        All.FirstOrDefault(kind => kind.Group == group && kind.Version == version && kind.Plural == plural);

    /// <summary>By plural name alone (the emulator serves each plural in one group only).</summary>
    public static ResourceKind ByPlural(string plural) =>
        All.FirstOrDefault(kind => kind.Plural == plural)
        ?? throw new ArgumentException($"The emulator does not serve \"{plural}\"; it serves {string.Join(", ", All.Select(kind => kind.Plural))}.", nameof(plural));

    public override string ToString() => QualifiedName;
}
