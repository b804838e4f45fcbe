using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// The workspace namespace's baseline: every workspace pod the Provisioner makes takes connections to
/// k8shelld (2822) only from the SSH proxy's pods in the release's namespace. It selects the pods, so they
/// are isolated for ingress even before (or without) the Provisioner's own per-workspace policies, which
/// add peers by class (K8shell.Provisioner/Kubernetes/NetworkPolicyManifest.cs).
/// </summary>
internal static class WorkspaceNetworkPolicy
{
    public const string Name = "k8shell-workspaces-from-gateway";

    public static JsonObject Build(ChartValues values) => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "NetworkPolicy",
        ["metadata"] = K8shellCluster.WorkspaceNamespaceMetadata(Name, values),
        ["spec"] = new JsonObject
        {
            ["podSelector"] = new JsonObject
            {
                ["matchLabels"] = new JsonObject { [K8shellCluster.WorkspaceManagedByLabel] = K8shellCluster.WorkspaceManagedByValue },
                ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = K8shellCluster.WorkspaceIdLabel, ["operator"] = "Exists" }),
            },
            ["policyTypes"] = new JsonArray("Ingress"),
            ["ingress"] = new JsonArray(new JsonObject
            {
                ["from"] = new JsonArray(new JsonObject
                {
                    ["namespaceSelector"] = new JsonObject
                    {
                        ["matchLabels"] = new JsonObject { ["kubernetes.io/metadata.name"] = YamlText.Text(HelmText.ReleaseNamespace) },
                    },
                    ["podSelector"] = new JsonObject
                    {
                        ["matchLabels"] = WorkloadTemplate.Map(ChartNames.Selector(K8shellCluster.Gateway)),
                    },
                }),
                ["ports"] = new JsonArray(new JsonObject { ["protocol"] = "TCP", ["port"] = K8shellCluster.WorkspacePort }),
            }),
        },
    };
}
