using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// The account a workspace's k8shelld serves: <see cref="Uid"/> and <see cref="Gid"/> only where k8shelld creates
/// the account (as root in a pod); an empty <see cref="Shell"/> leaves the account's own.
/// </summary>
internal sealed record DaemonAccount(string User, string Home, string Shell, uint? Uid = null, uint? Gid = null);

/// <summary>
/// k8shelld's configuration file for one workspace (keys of K8shell.WorkspaceDaemon/README.md), the same on every
/// backend but for the account, Identity's JWKS and where the daemon listens: the workspace and its owner,
/// environment, init scripts, splash, the caller checks, and Kestrel's gRPC and health endpoints. Empty optional
/// values are left out. The Kubernetes manifest hash covers this text: keep the order of the keys.
/// </summary>
internal static class DaemonConfigFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Render(WorkspaceSpec spec, string image, DaemonAccount account, string jwksUrl, string issuer, string grpcUrl, string healthUrl)
    {
        var workspace = new JsonObject
        {
            ["Name"] = spec.Name,
            ["Owner"] = spec.Owner.Username,
            ["User"] = account.User,
        };
        if (account.Uid is { } uid && account.Gid is { } gid)
        {
            workspace["Uid"] = uid;
            workspace["Gid"] = gid;
        }
        workspace["Home"] = account.Home;
        workspace["Environment"] = new JsonObject(WorkspaceEnvironment.Of(spec, image).Select(variable => KeyValuePair.Create(variable.Key, (JsonNode?)variable.Value)));
        workspace["InitScripts"] = new JsonArray(spec.Blueprint.InitScripts
            .Select(script => (JsonNode)new JsonObject { ["Name"] = script.Name, ["Script"] = script.Script }).ToArray());
        workspace["Splash"] = spec.Blueprint.Splash;
        if (account.Shell.Length > 0)
        {
            workspace["Shell"] = account.Shell;
        }
        var auth = new JsonObject { ["JwksUrl"] = jwksUrl };
        if (issuer.Length > 0)
        {
            auth["Issuer"] = issuer;
        }
        var config = new JsonObject
        {
            ["Workspace"] = workspace,
            ["Auth"] = auth,
            ["Kestrel"] = new JsonObject
            {
                ["Endpoints"] = new JsonObject
                {
                    ["grpc"] = new JsonObject { ["Url"] = grpcUrl, ["Protocols"] = "Http2" },
                    ["http"] = new JsonObject { ["Url"] = healthUrl, ["Protocols"] = "Http1" },
                },
            },
        };
        return config.ToJsonString(Indented);
    }
}
