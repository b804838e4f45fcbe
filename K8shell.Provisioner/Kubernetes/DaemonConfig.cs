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

    public static string Render(WorkspaceSpec spec, string image, KubernetesBackendOptions options) =>
        DaemonConfigFile.Render(spec, image, new DaemonAccount(spec.Owner.Username, $"/home/{spec.Owner.Username}", spec.Owner.Shell, spec.Owner.Uid, spec.Owner.Gid),
            options.JwksUrl, options.Issuer, $"http://*:{WorkspaceObjectNames.GrpcPort}", $"http://*:{WorkspaceObjectNames.HealthPort}");
}
