using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// One pod on the simulated node, from creation to deletion: scheduled (or not), sandbox and pod IP,
/// images pulled, init containers run to completion in order, containers started, then Ready, or
/// failing the way the test chose. Every step is a status write and events, as the real kubelet makes them.
/// </summary>
internal sealed partial class PodLifecycle
{
    private readonly SimulatedKubelet _kubelet;
    private readonly JsonObject _pod;
    private readonly string _namespace;
    private readonly string _name;
    private readonly string _uid;
    private readonly IReadOnlyList<ContainerRef> _initContainers;
    private readonly IReadOnlyList<ContainerRef> _containers;
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _gate = new();
    private Task _run = Task.CompletedTask;
    private Task? _termination;
    private RunningContainer? _process;
    private bool _stopping;

    public PodLifecycle(SimulatedKubelet kubelet, JsonObject pod)
    {
        _kubelet = kubelet;
        _pod = pod;
        _namespace = pod.Namespace()!;
        _name = pod.Name()!;
        _uid = pod.Uid()!;
        _initContainers = ContainerRef.Of(pod, init: true);
        _containers = ContainerRef.Of(pod, init: false);
    }

    private KubeletOptions Options => _kubelet.Options;

    private string PodId => $"{_name}_{_namespace}({_uid})";

    public void Start() => _run = Task.Run(() => RunAsync(_life.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_pod.Text("spec", "nodeName") is not { Length: > 0 })
            {
                await ScheduleAsync(cancellationToken);
            }
            var address = _kubelet.NextPodAddress();
            Update(pod => StartSandbox(pod, address));
            foreach (var container in _initContainers)
            {
                await RunInitContainerAsync(container, cancellationToken);
            }
            if (_initContainers.Count > 0)
            {
                Update(pod => PodStatus.SetCondition(pod, "Initialized", true));
            }
            foreach (var container in _containers)
            {
                await StartContainerAsync(container, PullFails(container), cancellationToken);
            }
            await RunContainersAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (PodGoneException)
        {
        }
        catch (Exception error)
        {
            // A bug in the emulator: shown where a test looking at the pod's events sees it.
            _kubelet.Events.Warning(_pod, ResourceKind.Pods, null, "EmulatorError", error.ToString());
        }
    }

    private async Task ScheduleAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Options.SchedulingDelay, cancellationToken);
        var attempt = 0;
        var nextReport = DateTime.UtcNow;
        // The scheduler retries as soon as something changes (a claim is bound); it reports with back-off.
        while (WhyUnschedulable() is { } why)
        {
            if (DateTime.UtcNow >= nextReport)
            {
                var message = $"0/1 nodes are available: {why}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
                _kubelet.Events.Warning(Current(), ResourceKind.Pods, null, "FailedScheduling", message, EventRecorder.Scheduler);
                Update(pod => PodStatus.SetCondition(pod, "PodScheduled", false, "Unschedulable", message));
                nextReport = DateTime.UtcNow + Options.BackOffBefore(attempt++);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
        Update(pod =>
        {
            pod.Child("spec")["nodeName"] = _kubelet.NodeName;
            PodStatus.SetCondition(pod, "PodScheduled", true);
        });
        _kubelet.Events.Normal(Current(), ResourceKind.Pods, null, "Scheduled",
            $"Successfully assigned {_namespace}/{_name} to {_kubelet.NodeName}", EventRecorder.Scheduler);
    }

    /// <summary>Why no node fits: the test said so, or a claimed PVC is missing or not bound yet.</summary>
    private string? WhyUnschedulable()
    {
        if (_kubelet.LabelFailure(_pod) == PodFailure.Unschedulable
            || _initContainers.Concat(_containers).Any(c => _kubelet.ImageFailure(c.Image) == PodFailure.Unschedulable))
        {
            return "1 node(s) didn't match Pod's node affinity/selector";
        }
        var claims = (_pod["spec"]?["volumes"] as JsonArray ?? [])
            .Select(volume => volume.Text("persistentVolumeClaim", "claimName"))
            .OfType<string>();
        foreach (var claim in claims)
        {
            var pvc = _kubelet.Store.Find(ResourceKind.PersistentVolumeClaims, _namespace, claim);
            if (pvc is null)
            {
                return $"persistentvolumeclaim \"{claim}\" not found";
            }
            if (pvc.Text("status", "phase") != "Bound")
            {
                return "pod has unbound immediate PersistentVolumeClaims";
            }
        }
        return null;
    }

    private void StartSandbox(JsonObject pod, string address)
    {
        var status = pod.Status();
        status["hostIP"] = "127.0.0.1";
        status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" });
        status["podIP"] = address;
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = address });
        status["startTime"] = ObjectFields.Now();
        PodStatus.SetCondition(pod, "PodReadyToStartContainers", true);
        if (_initContainers.Count > 0)
        {
            PodStatus.SetCondition(pod, "Initialized", false, "ContainersNotInitialized",
                $"containers with incomplete status: [{string.Join(' ', _initContainers.Select(c => c.Name))}]");
        }
        else
        {
            PodStatus.SetCondition(pod, "Initialized", true);
        }
        PodStatus.SetReady(pod, _containers, ready: false);
        foreach (var container in _initContainers)
        {
            PodStatus.Waiting(PodStatus.Container(pod, container), "PodInitializing");
        }
        foreach (var container in _containers)
        {
            PodStatus.Waiting(PodStatus.Container(pod, container), _initContainers.Count > 0 ? "PodInitializing" : "ContainerCreating");
        }
    }

    private async Task RunInitContainerAsync(ContainerRef container, CancellationToken cancellationToken)
    {
        await StartContainerAsync(container, _kubelet.ImageFailure(container.Image) == PodFailure.ImagePull, cancellationToken);
        await Task.Delay(Options.InitContainerDuration, cancellationToken);
        Update(pod =>
        {
            var status = PodStatus.Container(pod, container);
            PodStatus.Terminated(status, 0, "Completed");
            status["ready"] = true;
        });
    }

    /// <summary>Pull, Created, Started: the container runs (phase Running once a main container does).</summary>
    private async Task StartContainerAsync(ContainerRef container, bool pullFails, CancellationToken cancellationToken)
    {
        await PullAsync(container, pullFails, cancellationToken);
        _kubelet.Events.Normal(Current(), ResourceKind.Pods, container.FieldPath, "Created", $"Created container: {container.Name}");
        await Task.Delay(Options.ContainerStartDelay, cancellationToken);
        Update(pod =>
        {
            PodStatus.Running(PodStatus.Container(pod, container));
            if (!container.Init)
            {
                pod.Status()["phase"] = "Running";
            }
        });
        _kubelet.Events.Normal(Current(), ResourceKind.Pods, container.FieldPath, "Started", $"Started container {container.Name}");
    }

    /// <summary>An image pull failure chosen by label hits the first main container.</summary>
    private bool PullFails(ContainerRef container) =>
        _kubelet.ImageFailure(container.Image) == PodFailure.ImagePull
        || (_kubelet.LabelFailure(_pod) == PodFailure.ImagePull && container == _containers[0]);

    /// <summary>The pod as stored now; the pod is gone (deleted, or replaced by a namesake) when null.</summary>
    private JsonObject Current() =>
        _kubelet.Store.Find(ResourceKind.Pods, _namespace, _name) is { } pod && pod.Uid() == _uid ? pod : throw new PodGoneException();

    private void Update(Action<JsonObject> change)
    {
        if (_kubelet.Store.Mutate(ResourceKind.Pods, _namespace, _name, _uid, change) is null)
        {
            throw new PodGoneException();
        }
    }

    /// <summary>The pod was deleted under the kubelet's feet: its lifecycle just ends.</summary>
    private sealed class PodGoneException : Exception;
}
