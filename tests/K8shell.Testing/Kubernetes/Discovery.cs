using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>The version and discovery documents (<c>/version</c>, <c>/api</c>, <c>/apis</c>, resource lists) and health endpoints.</summary>
internal static class Discovery
{
    /// <summary>The document for a discovery URL, or null for anything else.</summary>
    public static JsonNode? Answer(string[] segments) => segments switch
    {
        ["version"] => new JsonObject
        {
            ["major"] = "1",
            ["minor"] = "34",
            ["gitVersion"] = "v1.34.0-k8shell-emulator",
            ["platform"] = "linux/amd64",
        },
        ["healthz"] or ["livez"] or ["readyz"] => JsonValue.Create("ok"),
        ["api"] => new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(),
        },
        ["apis"] => new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray(ResourceKind.All.Where(kind => kind.Group.Length > 0).Select(kind => kind.Group).Distinct()
                .Select(group => (JsonNode)new JsonObject
                {
                    ["name"] = group,
                    ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = $"{group}/v1", ["version"] = "v1" }),
                    ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/v1", ["version"] = "v1" },
                }).ToArray()),
        },
        ["api", var version] => Resources("", version),
        ["apis", var group, var version] => Resources(group, version),
        _ => null,
    };

    private static JsonObject? Resources(string group, string version)
    {
        var kinds = ResourceKind.All.Where(kind => kind.Group == group && kind.Version == version).ToList();
        if (kinds.Count == 0)
        {
            return null;
        }
        var verbs = new[] { "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch" };
        var resources = kinds.SelectMany(kind => new[]
        {
            new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Kind.ToLowerInvariant(),
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray(verbs.Select(verb => (JsonNode)verb).ToArray()),
            },
        }.Concat(kind.HasStatus
            ? [new JsonObject { ["name"] = kind.Plural + "/status", ["singularName"] = "", ["namespaced"] = kind.Namespaced, ["kind"] = kind.Kind, ["verbs"] = new JsonArray("get", "patch", "update") }]
            : []));
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = new JsonArray(resources.Select(resource => (JsonNode)resource).ToArray()),
        };
    }
}
