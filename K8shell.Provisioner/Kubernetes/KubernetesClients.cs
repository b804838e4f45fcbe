using k8s;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>The client for <see cref="KubernetesBackendOptions"/>: in-cluster without a kubeconfig, else the merged kubeconfig files.</summary>
internal static class KubernetesClients
{
    public static IKubernetes Create(KubernetesBackendOptions options)
    {
        var files = KubernetesBackendOptionsValidation.KubeconfigFiles(options.Kubeconfig);
        var context = options.Context.Length > 0 ? options.Context : null;
        if (files.Length == 0)
        {
            return new k8s.Kubernetes(KubernetesClientConfiguration.InClusterConfig());
        }
        // As KUBECONFIG: several files merge, the first to set a value wins.
        var merged = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(files[0]), useRelativePaths: true);
        foreach (var file in files.Skip(1))
        {
            var next = KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: true);
            merged.Clusters = Merge(merged.Clusters, next.Clusters, cluster => cluster.Name);
            merged.Users = Merge(merged.Users, next.Users, user => user.Name);
            merged.Contexts = Merge(merged.Contexts, next.Contexts, context => context.Name);
            merged.CurrentContext ??= next.CurrentContext;
        }
        return new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context));
    }

    private static List<T> Merge<T>(IEnumerable<T>? first, IEnumerable<T>? then, Func<T, string> name)
    {
        var items = (first ?? []).ToList();
        var names = items.Select(name).ToHashSet();
        items.AddRange((then ?? []).Where(item => !names.Contains(name(item))));
        return items;
    }
}
