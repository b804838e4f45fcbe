using System.Text.Json;
using System.Text.Json.Nodes;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// k8shelld's configuration file for one workspace (keys of K8shell.WorkspaceDaemon/README.md), held in
/// the <c>&lt;id&gt;-k8shelld-config</c> config map and named by <c>K8SHELLD_CONFIG</c>: the workspace and its
/// owner, the account the daemon (root in the pod) creates, environment, init scripts, splash, the
/// caller checks against Identity, and Kestrel on 2822 (gRPC) and 2823 (health).
/// </summary>
internal static class DaemonConfig
{
    /// <summary>Where the config map is mounted in the main container.</summary>
    public const string Directory = "/etc/k8shell";

    public const string FileName = "k8shelld.json";

    public static string Path => $"{Directory}/{FileName}";

    public static string Render(WorkspaceSpec spec, string image, KubernetesBackendOptions options)
    {
        var owner = spec.Owner;
        var workspace = new JsonObject
        {
            ["Name"] = spec.Name,
            ["Owner"] = owner.Username,
            ["User"] = owner.Username,
            ["Uid"] = owner.Uid,
            ["Gid"] = owner.Gid,
            ["Home"] = $"/home/{owner.Username}",
            ["Environment"] = Json(WorkspaceEnvironment.Of(spec, image)),
            ["InitScripts"] = new JsonArray(spec.Blueprint.InitScripts
                .Select(script => (JsonNode)new JsonObject { ["Name"] = script.Name, ["Script"] = script.Script }).ToArray()),
            ["Splash"] = spec.Blueprint.Splash,
        };
        if (owner.Shell.Length > 0)
        {
            workspace["Shell"] = owner.Shell;
        }
        var auth = new JsonObject { ["JwksUrl"] = options.JwksUrl };
        if (options.Issuer.Length > 0)
        {
            auth["Issuer"] = options.Issuer;
        }
        var config = new JsonObject
        {
            ["Workspace"] = workspace,
            ["Auth"] = auth,
            ["Kestrel"] = new JsonObject
            {
                ["Endpoints"] = new JsonObject
                {
                    ["grpc"] = new JsonObject { ["Url"] = $"http://*:{WorkspaceObjectNames.GrpcPort}", ["Protocols"] = "Http2" },
                    ["http"] = new JsonObject { ["Url"] = $"http://*:{WorkspaceObjectNames.HealthPort}", ["Protocols"] = "Http1" },
                },
            },
        };
        return config.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Json(IEnumerable<KeyValuePair<string, string>> variables) =>
        new(variables.Select(variable => KeyValuePair.Create(variable.Key, (JsonNode?)variable.Value)));
}
