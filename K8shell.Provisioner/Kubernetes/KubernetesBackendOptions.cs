namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Section <c>Provisioner:Kubernetes</c>: where workspaces go, which k8shelld they run, and how the daemon
/// checks its callers. Checked at start (<see cref="KubernetesBackendOptionsValidation"/>).
/// </summary>
public sealed class KubernetesBackendOptions
{
    public const string Section = "Provisioner:Kubernetes";

    /// <summary>The namespace every workspace's objects are made in (required).</summary>
    public string Namespace { get; set; } = "";

    /// <summary>Empty: the pod's in-cluster service account. Else kubeconfig files as in <c>KUBECONFIG</c> (several joined with ':').</summary>
    public string Kubeconfig { get; set; } = "";

    /// <summary>The kubeconfig context to use; empty for its current context.</summary>
    public string Context { get; set; } = "";

    /// <summary>The image the init container copies k8shelld from (required); relative images get <see cref="DefaultRegistry"/>.</summary>
    public string K8shelldImage { get; set; } = "";

    /// <summary>Where k8shelld is in <see cref="K8shelldImage"/>: a self-contained single-file build.</summary>
    public string K8shelldPath { get; set; } = "/usr/local/bin/k8shelld";

    public string K8shelldImagePullPolicy { get; set; } = "IfNotPresent";

    /// <summary>Prefix of relative images (reference §7.4: a first path segment with '.' or ':' names a registry); empty leaves them as they are.</summary>
    public string DefaultRegistry { get; set; } = "";

    /// <summary>For the workspaces' DNS names, <c>&lt;id&gt;.&lt;namespace&gt;.svc.&lt;ClusterDomain&gt;</c>.</summary>
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>A pull reported as Pulling only after this long, so cached or quick pulls do not show (reference §7.2: 8 s).</summary>
    public TimeSpan PullingGrace { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long stop and delete wait for a pod to be gone.</summary>
    public TimeSpan PodDeletionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Identity's JWKS (<c>/.well-known/jwks.json</c>), reachable from the pods: k8shelld's <c>Auth:JwksUrl</c> (required).</summary>
    public string JwksUrl { get; set; } = "";

    /// <summary>The issuer of Identity's tokens: k8shelld's <c>Auth:Issuer</c>; empty accepts any.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Size of a local storage's volume claim (blueprints do not say one).</summary>
    public string StorageSize { get; set; } = "10Gi";

    /// <summary>Storage class of the claims; null for the cluster's default class, "" for none (pre-made volumes).</summary>
    public string? StorageClassName { get; set; }

    /// <summary>Namespace of the gateway pods (ssh-proxy, api-server) network policies let in and out.</summary>
    public string GatewayNamespace { get; set; } = "k8shell";

    /// <summary>Values of <c>app.kubernetes.io/name</c> that mark gateway pods in <see cref="GatewayNamespace"/>.</summary>
    public string[] GatewayApps { get; set; } = ["ssh-proxy", "api-server"];

    /// <summary>The cluster's service network, which holds the API server's cluster IP (reference §7.5: 10.96.0.0/12).</summary>
    public string ServiceCidr { get; set; } = "10.96.0.0/12";
}
