namespace K8shell.AppHost.Model;

/// <summary>
/// A Kubernetes cluster for the local run: a Kind cluster made or reused before anything starts, or the cluster
/// <c>KUBECONFIG</c> names. Not a process and not published (a deployment runs in its own cluster).
/// </summary>
public sealed record KindClusterResource(string Name) : Resource(Name)
{
    /// <summary>The context Kind gives a cluster's kubeconfig: <c>kind-&lt;name&gt;</c>.</summary>
    public string KindContext => $"kind-{Name}";

    /// <summary>The cluster to use once the run has started; null when workspaces run as local processes instead.</summary>
    public KubernetesConnection? Connection { get; set; }
}

/// <summary>How to reach a cluster: a kubeconfig file and its context (empty: the file's current context).</summary>
public sealed record KubernetesConnection(string Kubeconfig, string Context);
