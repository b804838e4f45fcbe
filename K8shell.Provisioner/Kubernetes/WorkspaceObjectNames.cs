namespace K8shell.Provisioner.Kubernetes;

/// <summary>The names of a workspace's objects (reference §7.5), from its canonical ID.</summary>
internal static class WorkspaceObjectNames
{
    /// <summary>k8shelld's gRPC port, in the pod and on the Service (<c>grpc-api</c>).</summary>
    public const int GrpcPort = 2822;

    /// <summary>k8shelld's HTTP/1.1 port: <c>/health</c> (readiness) and <c>/alive</c> (liveness).</summary>
    public const int HealthPort = 2823;

    public const string InitContainer = "init-base";
    public const string MainContainer = "k8shell-main";

    public static string Pod(string id) => id;

    public static string Service(string id) => id;

    /// <summary>k8shelld's JSON configuration: workspace, user, environment, init scripts, splash, caller auth.</summary>
    public static string DaemonConfig(string id) => $"{id}-k8shelld-config";

    /// <summary>The blueprint's extFiles, one key per file.</summary>
    public static string Files(string id) => $"{id}-files";

    /// <summary>A local storage's claim, owned by the workspace.</summary>
    public static string LocalClaim(string id, string storage) => $"pvc-{id}-{storage}";

    /// <summary>A shared storage's claim, shared by every workspace naming it (and its id), never deleted with one.</summary>
    public static string SharedClaim(string storage, string? storageId) => storageId is { Length: > 0 } ? $"pvc-{storage}-{storageId}" : $"pvc-{storage}";

    public static string NetworkPolicy(string id, string policyClass) => $"np-{id}-{policyClass}";

    /// <summary>The DNS name of the workspace's Service, what the proxy dials.</summary>
    public static string ServerName(string id, string @namespace, string clusterDomain) => $"{id}.{@namespace}.svc.{clusterDomain}";

    /// <summary>A config map key for a file path: <c>/etc/motd</c> → <c>__etc__motd</c> (reference §7.4).</summary>
    public static string FileKey(string path) => path.Replace("/", "__", StringComparison.Ordinal);
}
