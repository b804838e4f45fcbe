using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// A Kubernetes API server on loopback, in process, for the resources K8shell uses: no container
/// engine or API server can run on our machines (see README.md beside this file). Clients reach it
/// through a kubeconfig from <see cref="WriteKubeconfig"/>, exactly as they reach a cluster.
/// </summary>
public sealed class KubernetesEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObjectStore _store;
    private readonly ApiRouter _router;
    private readonly CancellationTokenSource _stopping;
    private readonly string _folder;

    private KubernetesEmulator(WebApplication app, ObjectStore store, ApiRouter router, CancellationTokenSource stopping, SimulatedKubelet? kubelet)
    {
        _app = app;
        _store = store;
        _router = router;
        _stopping = stopping;
        Kubelet = kubelet;
        _folder = Directory.CreateTempSubdirectory("k8shell-kube-").FullName;
    }

    /// <summary>The API server's address, <c>http://127.0.0.1:port</c>.</summary>
    public string Url => _app.Urls.First();

    /// <summary>The simulated node: scheduling, events, container states, failure modes, running pods as processes. Null when turned off.</summary>
    public SimulatedKubelet? Kubelet { get; }

    /// <summary>The cluster's current resourceVersion (one counter for every kind).</summary>
    public long ResourceVersion => _store.Revision;

    /// <summary>Watches clients have open now: lets a test wait until a client has (re)connected.</summary>
    public int OpenWatches => _store.ExternalWatchCount;

    /// <summary>Every request as "METHOD /path?query", in order: what the client asked and when.</summary>
    public IReadOnlyCollection<string> Requests => _router.Requests;

    public static async Task<KubernetesEmulator> StartAsync(KubernetesEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubernetesEmulatorOptions();
        var store = new ObjectStore(options.HistoryLimit);
        foreach (var name in options.Namespaces)
        {
            store.Create(ResourceKind.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } });
        }
        var stopping = new CancellationTokenSource();
        var router = new ApiRouter(store, options.BookmarkInterval, stopping.Token);

        var app = LoopbackWebApplication.CreateBuilder().Build();
        app.Run(router.HandleAsync);
        await app.StartAsync(cancellationToken);

        var kubelet = options.Kubelet is { } kubeletOptions ? new SimulatedKubelet(store, kubeletOptions) : null;
        return new KubernetesEmulator(app, store, router, stopping, kubelet);
    }

    /// <summary>Writes a kubeconfig for this cluster (removed on dispose) and returns its path.</summary>
    public string WriteKubeconfig(string defaultNamespace = "default")
    {
        var path = Path.Combine(_folder, $"kubeconfig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Kubeconfig.Render(Url, defaultNamespace));
        return path;
    }

    /// <summary>Ends every client's watch stream, as an API server restart or a load balancer timeout does, to test reconnects.</summary>
    public void CloseWatches() => _store.CloseExternalWatches();

    /// <summary>Forgets the change history, as etcd compaction does: a watch from any earlier resourceVersion gets 410 Gone.</summary>
    public void CompactHistory() => _store.CompactHistory();

    /// <summary>
    /// An object as stored (a copy), for assertions that do not go through a client; null when absent.
    /// <paramref name="resource"/> is the plural name: <c>pods</c>, <c>services</c>, <c>networkpolicies</c>...
    /// </summary>
    public JsonObject? Find(string resource, string? @namespace, string name) =>
        _store.Find(ResourceKind.ByPlural(resource), @namespace, name);

    /// <summary>All objects of a resource (in one namespace, or everywhere), ordered by namespace and name.</summary>
    public IReadOnlyList<JsonObject> FindAll(string resource, string? @namespace = null) =>
        _store.List(ResourceKind.ByPlural(resource), @namespace, _ => true).Items;

    public async ValueTask DisposeAsync()
    {
        if (Kubelet is not null)
        {
            await Kubelet.DisposeAsync();
        }
        await _stopping.CancelAsync();
        _store.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
