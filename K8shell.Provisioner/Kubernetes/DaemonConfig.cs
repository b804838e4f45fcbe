using System.Text.Json;
using System.Text.Json.Nodes;
using K8shell.Provisioner.Workspaces;
using K8shell.UserStrings;

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
            ["Environment"] = Environment(spec, image),
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

    /// <summary>The blueprint's variables, then the reference's (§7.5) that say what the workspace is, which win.</summary>
    private static JsonObject Environment(WorkspaceSpec spec, string image)
    {
        var variables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in spec.Blueprint.Env)
        {
            variables[name] = value;
        }
        variables["IMAGE"] = image;
        variables["WORKSPACE"] = spec.Name;
        variables["BLUEPRINT"] = spec.Blueprint.Name;
        variables["USERNAME"] = spec.Owner.Username;
        variables["USEREMAIL"] = spec.Owner.Email;
        variables["USERFULLNAME"] = spec.Owner.FullName;
        if (spec.UserString.Form == UserStringForm.Repo)
        {
            variables["GIT_REPOOWNER"] = spec.UserString.RepoOwner ?? "";
            variables["GIT_REPONAME"] = spec.UserString.RepoName ?? "";
            if (spec.UserString.Ref is { } reference)
            {
                variables["GIT_REPOREF"] = reference;
            }
        }
        var environment = new JsonObject();
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }
        return environment;
    }
}
