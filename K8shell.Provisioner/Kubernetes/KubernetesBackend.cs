using k8s;
using System.Runtime.CompilerServices;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Workspaces;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Workspaces as pods in one namespace (reference §7.2, §7.3, §7.5): apply makes the pod, its Service,
/// claims, config maps and network policy, then watches the pod and its events to Running or failure;
/// stop deletes the pod and keeps the rest; delete removes everything with the workspace's canonical ID.
/// </summary>
internal sealed class KubernetesBackend : IWorkspaceBackend, IDisposable
{
    public const string BackendName = "kubernetes";

    private readonly KubernetesBackendOptions _options;
    private readonly KubernetesApi _api;
    private readonly WorkspaceApplier _applier;
    private readonly StartWatch _startWatch;
    private readonly PodDeletion _podDeletion;
    private readonly WorkspaceDeletion _deletion;

    public KubernetesBackend(IOptions<KubernetesBackendOptions> options, ILogger<KubernetesBackend> logger, TimeProvider? time = null)
    {
        _options = options.Value;
        _api = new KubernetesApi(KubernetesClients.Create(_options), _options.Namespace);
        _podDeletion = new PodDeletion(_api, _options.PodDeletionTimeout, logger);
        _applier = new WorkspaceApplier(_api, _podDeletion, logger);
        _startWatch = new StartWatch(_api, _options.PullingGrace, time ?? TimeProvider.System, logger);
        _deletion = new WorkspaceDeletion(_api, _podDeletion);
    }

    public string Name => BackendName;

    public async Task<Workspace?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var ns = _api.Namespace;
        var pod = await _api.FindAsync($"read pod \"{name}\"", client => client.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cancellationToken), cancellationToken);
        var configName = WorkspaceObjectNames.DaemonConfig(name);
        var config = await _api.FindAsync($"read config map \"{configName}\"", client => client.CoreV1.ReadNamespacedConfigMapAsync(configName, ns, cancellationToken: cancellationToken), cancellationToken);
        if (pod?.Metadata.Labels?.TryGetValue(WorkspaceLabels.CanonicalId, out var podId) == true && podId == name)
        {
            return WorkspaceDescription.OfPod(pod, config, _options);
        }
        if (config?.Metadata.Labels?.TryGetValue(WorkspaceLabels.CanonicalId, out var configId) == true && configId == name)
        {
            return WorkspaceDescription.Stopped(config.Metadata, config, _options);
        }
        var selector = WorkspaceMetadata.Selector(name);
        var claims = await _api.CallAsync("list claims", client => client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        if (claims.Items.FirstOrDefault() is { } claim)
        {
            return WorkspaceDescription.Stopped(claim.Metadata, null, _options);
        }
        var services = await _api.CallAsync("list services", client => client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        return services.Items.FirstOrDefault() is { } service ? WorkspaceDescription.Stopped(service.Metadata, null, _options) : null;
    }

    public async Task<IReadOnlyList<Workspace>> ListAsync(CancellationToken cancellationToken)
    {
        var ns = _api.Namespace;
        var selector = WorkspaceMetadata.AllSelector;
        var pods = await _api.CallAsync("list pods", client => client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        var maps = await _api.CallAsync("list config maps", client => client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        var claims = await _api.CallAsync("list claims", client => client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        var services = await _api.CallAsync("list services", client => client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);

        static string Id(k8s.Models.V1ObjectMeta metadata) => metadata.Labels[WorkspaceLabels.CanonicalId];
        var configs = maps.Items.Where(map => map.Metadata.Name == WorkspaceObjectNames.DaemonConfig(Id(map.Metadata))).ToDictionary(map => Id(map.Metadata));
        var workspaces = pods.Items.Select(pod => WorkspaceDescription.OfPod(pod, configs.GetValueOrDefault(Id(pod.Metadata)), _options)).ToList();
        var running = workspaces.Select(workspace => workspace.Name).ToHashSet();
        var leftovers = maps.Items.Select(map => map.Metadata).Concat(claims.Items.Select(claim => claim.Metadata)).Concat(services.Items.Select(service => service.Metadata));
        foreach (var stopped in leftovers.GroupBy(Id).Where(group => !running.Contains(group.Key)))
        {
            var config = configs.GetValueOrDefault(stopped.Key);
            workspaces.Add(WorkspaceDescription.Stopped(config?.Metadata ?? stopped.First(), config, _options));
        }
        return workspaces.OrderBy(workspace => workspace.Name, StringComparer.Ordinal).ToList();
    }

    public async IAsyncEnumerable<WorkspaceProgress> ApplyAsync(WorkspaceSpec spec, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var manifest = WorkspaceManifest.Build(spec, _options);
        var applied = await _applier.ApplyAsync(manifest, cancellationToken);
        await foreach (var progress in _startWatch.WatchAsync(applied, cancellationToken))
        {
            yield return progress;
        }
    }

    public Task StopAsync(string name, CancellationToken cancellationToken) => _podDeletion.DeleteAsync(name, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => _deletion.DeleteAsync(name, cancellationToken);

    public void Dispose() => _api.Dispose();
}
