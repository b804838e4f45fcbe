using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// What a cluster needs that the app model does not say: which resource makes workspaces (and so gets
/// Kubernetes API access), which one is the gateway to them, and the Provisioner's Kubernetes-backend
/// settings. Kept here, by resource name, so AppHost.cs stays the table of contents Aspire users expect.
/// </summary>
internal static class K8shellCluster
{
    /// <summary>Makes workspace pods: its own service account, and a Role in the workspace namespace.</summary>
    public const string WorkspaceManager = "provisioner";

    /// <summary>The only pods that may reach a workspace's k8shelld.</summary>
    public const string Gateway = "ssh-proxy";

    /// <summary>k8shelld's gRPC port in every workspace pod (K8shell.Provisioner's WorkspaceObjectNames.GrpcPort).</summary>
    public const int WorkspacePort = 2822;

    /// <summary>What every workspace object carries (K8shell.Provisioner's WorkspaceLabels).</summary>
    public const string WorkspaceManagedByLabel = "app.kubernetes.io/managed-by";
    public const string WorkspaceManagedByValue = "k8shell-provisioner";
    public const string WorkspaceIdLabel = "k8shell.io/canonical-id";

    /// <summary>Separate from the release's namespace: the Provisioner's Role there cannot touch K8shell's own Secrets.</summary>
    public const string DefaultWorkspaceNamespace = "k8shell-workspaces";

    /// <summary>Where an external TCP endpoint is published: its protocol's well-known port (ssh: 22), else its own.</summary>
    public static int PublicPort(EndpointAnnotation endpoint) => endpoint.Name switch
    {
        "ssh" => 22,
        _ => endpoint.TargetPort ?? endpoint.Port ?? throw new InvalidOperationException($"endpoint '{endpoint.Name}' has no port"),
    };

    public static HelmText WorkspaceNamespace(ChartValues values) =>
        values.Parameter(WorkspaceManager, "workspace_namespace", DefaultWorkspaceNamespace);

    /// <summary>An object of the chart in the workspace namespace, labelled as the workspace manager's.</summary>
    public static JsonObject WorkspaceNamespaceMetadata(string name, ChartValues values) => new()
    {
        ["name"] = name,
        ["namespace"] = YamlText.Text(WorkspaceNamespace(values)),
        ["labels"] = WorkloadTemplate.Map(ChartNames.Labels(WorkspaceManager)),
    };

    /// <summary>
    /// The Provisioner's Kubernetes backend in the cluster (K8shell.Provisioner/README.md): workspaces in their
    /// namespace, k8shelld from its image, callers checked against Identity's JWKS as the pods reach it, and
    /// the gateway's pods let in from the release's namespace.
    /// </summary>
    public static IEnumerable<(string Variable, HelmText Value)> WorkspaceManagerSettings(IReadOnlyDictionary<string, object> environment, ChartValues values)
    {
        yield return ("Provisioner__Backend", HelmText.Of("kubernetes"));
        yield return ("Provisioner__Kubernetes__Namespace", WorkspaceNamespace(values));
        yield return ("Provisioner__Kubernetes__K8shelldImage", values.Parameter(WorkspaceManager, "k8shelld_image", "k8shelld:latest"));
        yield return ("Provisioner__Kubernetes__GatewayNamespace", HelmText.ReleaseNamespace);
        if (environment.TryGetValue("services__identity__http__0", out var identity))
        {
            yield return ("Provisioner__Kubernetes__JwksUrl", HelmText.Concat([ClusterValue.Of(identity), HelmText.Of("/.well-known/jwks.json")]));
        }
    }
}
