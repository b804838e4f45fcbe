namespace K8shell.Testing.Kubernetes;

/// <summary>How the emulated cluster behaves; the defaults suit tests (fast bookmarks, a kubelet, namespace "default").</summary>
public sealed record KubernetesEmulatorOptions
{
    /// <summary>How many changes the server remembers for watches that resume from a resourceVersion; older ones get 410 Gone.</summary>
    public int HistoryLimit { get; init; } = 1000;

    /// <summary>How often a watch with <c>allowWatchBookmarks=true</c> gets a BOOKMARK (the real server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Namespaces that exist from the start (objects can only be created in existing namespaces).</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default"];

    /// <summary>The simulated kubelet, scheduler and volume binder; null for none (pods then stay Pending, unscheduled).</summary>
    public KubeletOptions? Kubelet { get; init; } = new();
}
