using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// The Provisioner's Kubernetes API access: its own ServiceAccount, and a Role in the workspace namespace
/// only, with exactly the calls its Kubernetes backend makes (K8shell.Provisioner/Kubernetes). Config maps,
/// services and network policies are server-side applied: a PATCH, which the API server also authorizes as
/// <c>create</c> when the object is new. Secrets are only listed and deleted (a workspace's, on delete).
/// </summary>
internal static class ProvisionerAccess
{
    public const string ServiceAccountName = K8shellCluster.WorkspaceManager;
    public const string RoleName = "k8shell-provisioner";

    public static readonly (string ApiGroup, string Resource, string[] Verbs)[] Rules =
    [
        ("", "pods", ["get", "list", "watch", "create", "delete"]),
        ("", "services", ["list", "create", "patch", "delete"]),
        ("", "persistentvolumeclaims", ["get", "list", "create", "delete"]),
        ("", "configmaps", ["get", "list", "create", "patch", "delete"]),
        ("", "secrets", ["list", "delete"]),
        // A start's progress comes from the events about its pod and claims.
        ("", "events", ["get", "list", "watch"]),
        ("networking.k8s.io", "networkpolicies", ["list", "create", "patch", "delete"]),
    ];

    public static JsonObject ServiceAccount() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ServiceAccount",
        ["metadata"] = new JsonObject { ["name"] = ServiceAccountName, ["labels"] = Labels() },
    };

    public static JsonObject Role(ChartValues values) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "Role",
        ["metadata"] = K8shellCluster.WorkspaceNamespaceMetadata(RoleName, values),
        ["rules"] = new JsonArray([.. Rules.Select(rule => new JsonObject
        {
            ["apiGroups"] = new JsonArray(rule.ApiGroup),
            ["resources"] = new JsonArray(rule.Resource),
            ["verbs"] = new JsonArray([.. rule.Verbs.Select(verb => JsonValue.Create(verb))]),
        })]),
    };

    public static JsonObject RoleBinding(ChartValues values) => new()
    {
        ["apiVersion"] = "rbac.authorization.k8s.io/v1",
        ["kind"] = "RoleBinding",
        ["metadata"] = K8shellCluster.WorkspaceNamespaceMetadata(RoleName, values),
        ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Role", ["name"] = RoleName },
        ["subjects"] = new JsonArray(new JsonObject
        {
            ["kind"] = "ServiceAccount",
            ["name"] = ServiceAccountName,
            ["namespace"] = YamlText.Text(HelmText.ReleaseNamespace),
        }),
    };

    private static JsonObject Labels() => WorkloadTemplate.Map(ChartNames.Labels(K8shellCluster.WorkspaceManager));
}
