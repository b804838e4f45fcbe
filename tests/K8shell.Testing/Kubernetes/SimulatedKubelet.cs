using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The one node of the emulated cluster, with the scheduler and volume provisioner folded in. It is a
/// client of the object store like any controller: it watches pods and PVCs and writes their status
/// and events. A new pod is scheduled, its images pulled, init containers run, containers started
/// and made Ready; a deleted pod's containers are stopped before it goes. Tests choose failures per
/// image or pod label, and may run a real process for each pod (<see cref="Runner"/>).
/// </summary>
public sealed class SimulatedKubelet : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodLifecycle> _pods = new();
    private readonly ConcurrentDictionary<string, PodFailure> _imageFailures = new();
    private readonly ConcurrentDictionary<(string Key, string Value), PodFailure> _labelFailures = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _pullDurations = new();
    private readonly ConcurrentDictionary<string, bool> _pulledImages = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;
    private readonly VolumeBinder _volumes;
    private int _addresses;

    internal SimulatedKubelet(ObjectStore store, KubeletOptions options)
    {
        Store = store;
        Options = options;
        Events = new EventRecorder(store, options.NodeName);
        _volumes = new VolumeBinder(this, _stopping.Token);
        var pods = store.Watch(new WatchRequest(ResourceKind.Pods, null, _ => true, FromRevision: null, External: false));
        _watching = Task.Run(() => WatchPodsAsync(pods, _stopping.Token));
    }

    public KubeletOptions Options { get; }

    public string NodeName => Options.NodeName;

    /// <summary>When set, starts each pod's process; the pod is Ready once it returns. Unset: pods are Ready as soon as their containers start.</summary>
    public PodRunner? Runner { get; set; }

    internal ObjectStore Store { get; }

    internal EventRecorder Events { get; }

    /// <summary>Every pod (init container or container) with this image fails this way.</summary>
    public void FailImage(string image, PodFailure failure) => _imageFailures[image] = failure;

    /// <summary>Every pod labelled <paramref name="key"/>=<paramref name="value"/> fails this way (an image pull failure hits its first container).</summary>
    public void FailPodsLabelled(string key, string value, PodFailure failure) => _labelFailures[(key, value)] = failure;

    /// <summary>PVCs of this storage class are never provisioned: they stay Pending with Warning ProvisioningFailed events.</summary>
    public void FailStorageClass(string storageClassName) => _volumes.Fail(storageClassName);

    /// <summary>How long pulling <paramref name="image"/> takes (to test what a slow pull looks like).</summary>
    public void SetPullDuration(string image, TimeSpan duration) => _pullDurations[image] = duration;

    /// <summary>Forgets pulled images: the next pod pulls again even with imagePullPolicy IfNotPresent.</summary>
    public void ForgetPulledImages() => _pulledImages.Clear();

    /// <summary>Pods fail no more (those already failing keep failing until deleted).</summary>
    public void ClearFailures()
    {
        _imageFailures.Clear();
        _labelFailures.Clear();
        _volumes.ClearFailures();
    }

    internal PodFailure? ImageFailure(string image) => _imageFailures.TryGetValue(image, out var failure) ? failure : null;

    internal PodFailure? LabelFailure(JsonObject pod)
    {
        var labels = pod.Labels();
        return labels is null
            ? null
            : _labelFailures.Where(rule => labels[rule.Key.Key]?.ToString() == rule.Key.Value).Select(rule => (PodFailure?)rule.Value).FirstOrDefault();
    }

    internal TimeSpan PullDuration(string image) => _pullDurations.TryGetValue(image, out var duration) ? duration : Options.PullDuration;

    internal bool IsPulled(string image) => _pulledImages.ContainsKey(image);

    internal void MarkPulled(string image) => _pulledImages[image] = true;

    internal string NextPodAddress()
    {
        if (!Options.DistinctPodAddresses)
        {
            return "127.0.0.1";
        }
        var n = Interlocked.Increment(ref _addresses);
        return $"127.77.{n / 250 % 250}.{n % 250 + 1}";
    }

    private async Task WatchPodsAsync(WatchSubscription pods, CancellationToken cancellationToken)
    {
        using var subscription = pods;
        try
        {
            await foreach (var item in pods.Items.ReadAllAsync(cancellationToken))
            {
                var pod = JsonNode.Parse(item.Json)!.AsObject();
                var uid = pod.Uid()!;
                if (item.Type == "DELETED")
                {
                    if (_pods.TryRemove(uid, out var gone))
                    {
                        _ = gone.StopAsync();
                    }
                    continue;
                }
                if (pod.Text("spec", "nodeName") is { Length: > 0 } node && node != NodeName)
                {
                    continue;
                }
                if (!_pods.TryGetValue(uid, out var lifecycle))
                {
                    if (pod.Text("status", "phase") is "Succeeded" or "Failed" || pod.IsTerminating())
                    {
                        continue;
                    }
                    lifecycle = new PodLifecycle(this, pod);
                    _pods[uid] = lifecycle;
                    lifecycle.Start();
                }
                if (pod.IsTerminating())
                {
                    _ = lifecycle.TerminateAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops watching and stops every pod's containers (processes a <see cref="Runner"/> started are ended).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watching;
        await _volumes.StoppedAsync();
        await Task.WhenAll(_pods.Values.Select(pod => pod.StopAsync()));
        _pods.Clear();
        _stopping.Dispose();
    }
}
