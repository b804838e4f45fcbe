namespace K8shell.AppHost.Model;

/// <summary>
/// Picks where workspaces run, before the local run starts anything, and says which:
/// <c>K8SHELL_WORKSPACE_BACKEND=process</c> forces local processes; <c>KUBECONFIG</c> names a cluster to use as it is;
/// otherwise, with <c>kind</c> and a running container engine (docker, else podman) on PATH, the Kind cluster named
/// after the resource is reused (its kubeconfig exported) or created; with neither, local processes.
/// <c>K8SHELL_WORKSPACE_BACKEND=kubernetes</c> makes the last case an error instead of a fallback.
/// </summary>
internal sealed class KindClusterStartup(DistributedApplicationExecutionContext context, Action<string> report)
{
    public const string NoContainerEngine = "no container engine: workspaces run as local processes";

    private static readonly TimeSpan CreateWait = TimeSpan.FromMinutes(2);

    /// <summary>The cluster to use, or null for local processes.</summary>
    public async Task<KubernetesConnection?> ConnectAsync(KindClusterResource cluster, CancellationToken cancellationToken)
    {
        var backend = context.GetEnvironmentVariable(LocalKnobs.WorkspaceBackendVariable) is { Length: > 0 } named ? named.ToLowerInvariant() : null;
        if (backend is not (null or "process" or "kubernetes"))
        {
            throw new InvalidOperationException($"{LocalKnobs.WorkspaceBackendVariable}='{backend}': expected process or kubernetes.");
        }
        if (backend == "process")
        {
            report($"{LocalKnobs.WorkspaceBackendVariable}=process: workspaces run as local processes");
            return null;
        }
        if (context.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } kubeconfig)
        {
            report($"KUBECONFIG: workspaces run in the cluster of {kubeconfig} (its current context)");
            return new KubernetesConnection(kubeconfig, Context: "");
        }
        var kind = await FindKindAsync(cancellationToken);
        if (kind.Command is null)
        {
            var message = kind.Missing == "kind" ? "kind is not on PATH: workspaces run as local processes" : NoContainerEngine;
            if (backend == "kubernetes")
            {
                throw new InvalidOperationException(
                    $"{LocalKnobs.WorkspaceBackendVariable}=kubernetes needs KUBECONFIG, or kind and a running container engine (docker or podman) on PATH: {message}.");
            }
            report(message);
            return null;
        }
        return await StartKindAsync(kind.Command, cluster, cancellationToken);
    }

    private async Task<KubernetesConnection> StartKindAsync(HostCommand kind, KindClusterResource cluster, CancellationToken cancellationToken)
    {
        var kubeconfig = Path.Combine(context.DataDirectory, cluster.Name, "kubeconfig");
        Directory.CreateDirectory(Path.GetDirectoryName(kubeconfig)!);
        var clusters = await RunAsync(kind, ["get", "clusters"], cancellationToken);
        if (clusters.Split('\n').Select(line => line.Trim()).Contains(cluster.Name))
        {
            await RunAsync(kind, ["export", "kubeconfig", "--name", cluster.Name, "--kubeconfig", kubeconfig], cancellationToken);
            report($"Kind cluster '{cluster.Name}' reused: workspaces run in it ({kubeconfig})");
        }
        else
        {
            report($"Creating Kind cluster '{cluster.Name}' (a minute or two the first time)...");
            await RunAsync(kind, ["create", "cluster", "--name", cluster.Name, "--kubeconfig", kubeconfig, "--wait", $"{CreateWait.TotalSeconds:F0}s"], cancellationToken);
            report($"Kind cluster '{cluster.Name}' created: workspaces run in it ({kubeconfig})");
        }
        return new KubernetesConnection(kubeconfig, cluster.KindContext);
    }

    /// <summary>kind, set up for the first container engine that answers; or what is missing.</summary>
    private async Task<(HostCommand? Command, string Missing)> FindKindAsync(CancellationToken cancellationToken)
    {
        if (await ContainerEngine.DetectAsync(context, cancellationToken) is not { } engine)
        {
            return (null, "container engine");
        }
        var path = context.GetEnvironmentVariable("PATH");
        var environment = new Dictionary<string, string?> { ["PATH"] = path };
        if (engine.Name == "podman")
        {
            environment["KIND_EXPERIMENTAL_PROVIDER"] = "podman";
        }
        return HostCommand.Find("kind", path, environment) is { } kind ? (kind, "") : (null, "kind");
    }

    private static async Task<string> RunAsync(HostCommand command, string[] arguments, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await command.RunAsync(arguments, cancellationToken);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException(
                $"`kind {string.Join(' ', arguments)}` failed (exit code {exitCode}); set {LocalKnobs.WorkspaceBackendVariable}=process to run workspaces as local processes. It said:\n  {output.Replace("\n", "\n  ")}");
    }
}
