using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>A resource's environment as a ConfigMap (<c>&lt;resource&gt;-config</c>) and a Secret (<c>&lt;resource&gt;-secrets</c>), Aspire's names.</summary>
internal static class ConfigTemplates
{
    public static string ConfigMapName(string resource) => $"{resource}-config";

    public static string SecretName(string resource) => $"{resource}-secrets";

    public static JsonObject ConfigMap(string resource, IReadOnlyDictionary<string, HelmText> data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = ConfigMapName(resource), ["labels"] = WorkloadTemplate.Map(ChartNames.Labels(resource)) },
        ["data"] = WorkloadTemplate.Map(data),
    };

    /// <summary><c>stringData</c>: the values are written as given, and the API server encodes them.</summary>
    public static JsonObject Secret(string resource, IReadOnlyDictionary<string, HelmText> data) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = SecretName(resource), ["labels"] = WorkloadTemplate.Map(ChartNames.Labels(resource)) },
        ["type"] = "Opaque",
        ["stringData"] = WorkloadTemplate.Map(data),
    };
}
