using k8s;
using k8s.Models;
using K8shell.Testing.Kubernetes;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>The simulated kubelet: a pod's way to Ready, its events, the failure modes, deletion through Terminating.</summary>
public sealed class KubeletTests
{
    [Fact]
    public async Task A_pod_is_scheduled_initialised_started_and_made_ready_with_the_events_a_kubelet_writes()
    {
        await using var cluster = await StartAsync();
        var pod = ResourceTests.Pod("alice-dev");
        pod.Spec.InitContainers = [new V1Container { Name = "init-base", Image = "registry.example/k8shelld:1" }];
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Token);

        var ready = await cluster.WaitForPodAsync("alice-dev", IsReady, "became Ready");

        Assert.Equal("Running", ready.Status.Phase);
        Assert.Equal(cluster.Kubelet.NodeName, ready.Spec.NodeName);
        Assert.Equal("127.0.0.1", ready.Status.PodIP);
        Assert.NotNull(ready.Status.StartTime);
        foreach (var condition in new[] { "PodScheduled", "Initialized", "ContainersReady", "Ready" })
        {
            Assert.Equal("True", ready.Status.Conditions.Single(c => c.Type == condition).Status);
        }
        var init = Assert.Single(ready.Status.InitContainerStatuses);
        Assert.Equal((0, "Completed"), (init.State.Terminated.ExitCode, init.State.Terminated.Reason));
        var main = Assert.Single(ready.Status.ContainerStatuses);
        Assert.True(main.Ready);
        Assert.NotNull(main.State.Running);

        var events = await cluster.EventsAsync("alice-dev");
        Assert.Equal(
            ["Scheduled", "Pulling", "Pulled", "Created", "Started", "Pulling", "Pulled", "Created", "Started"],
            events.Select(e => e.Reason));
        Assert.All(events, e =>
        {
            Assert.Equal("Normal", e.Type);
            Assert.Equal(ready.Metadata.Uid, e.InvolvedObject.Uid);
            Assert.Equal("Pod", e.InvolvedObject.Kind);
            Assert.Equal(1, e.Count);
            Assert.NotNull(e.FirstTimestamp);
            Assert.NotNull(e.LastTimestamp);
        });
        Assert.Equal("default-scheduler", events[0].Source.Component);
        Assert.Equal("Successfully assigned default/alice-dev to k8shell-emulated-node", events[0].Message);
        Assert.Equal("kubelet", events[1].Source.Component);
        Assert.Equal("spec.initContainers{init-base}", events[1].InvolvedObject.FieldPath);
        Assert.Equal("Pulling image \"registry.example/workspace:1\"", events[5].Message);
        Assert.Equal("spec.containers{k8shell-main}", events[5].InvolvedObject.FieldPath);
    }

    [Fact]
    public async Task A_watch_on_a_new_pod_sees_its_stages_in_order()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedPodAsync("default", cancellationToken: Token);
        var stages = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (_, pod) in api.WatchListNamespacedPodAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token))
            {
                var stage = Stage(pod);
                if (stages.LastOrDefault() != stage)
                {
                    stages.Add(stage);
                }
                if (stage == "ready")
                {
                    return;
                }
            }
        }, Token);
        var withInit = ResourceTests.Pod("alice-dev");
        withInit.Spec.InitContainers = [new V1Container { Name = "init-base", Image = "registry.example/k8shelld:1" }];
        await api.CreateNamespacedPodAsync(withInit, "default", cancellationToken: Token);

        await watching.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(["pending", "scheduled", "initializing", "starting", "ready"], stages);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_goes_from_ErrImagePull_to_ImagePullBackOff_with_warnings()
    {
        await using var cluster = await StartAsync(new() { Kubelet = new KubeletOptions { BackOff = TimeSpan.FromMilliseconds(50) } });
        cluster.Kubelet.FailImage("registry.example/missing:1", PodFailure.ImagePull);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev", "registry.example/missing:1"), "default", cancellationToken: Token);

        var pod = await cluster.WaitForPodAsync("alice-dev", p => Waiting(p) == "ImagePullBackOff", "waited in ImagePullBackOff");
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.False(IsReady(pod));

        await cluster.WaitForPodAsync("alice-dev", p => Waiting(p) == "ErrImagePull", "went back to ErrImagePull");
        var events = await cluster.EventsAsync("alice-dev");
        Assert.Contains(events, e => e is { Type: "Warning", Reason: "Failed", Message: "Error: ErrImagePull" });
        Assert.Contains(events, e => e is { Type: "Warning", Reason: "Failed", Message: "Error: ImagePullBackOff" });
        Assert.Contains(events, e => e is { Type: "Normal", Reason: "BackOff" } && e.Message.StartsWith("Back-off pulling image"));
        Assert.Contains(events, e => e.Reason == "Pulling" && e.Count >= 2);
        Assert.DoesNotContain(events, e => e.Reason is "Pulled" or "Started");
    }

    [Fact]
    public async Task A_crash_looping_pod_restarts_with_back_off_events()
    {
        await using var cluster = await StartAsync(new() { Kubelet = new KubeletOptions { BackOff = TimeSpan.FromMilliseconds(30), CrashAfter = TimeSpan.FromMilliseconds(30) } });
        cluster.Kubelet.FailPodsLabelled("k8shell.io/username", "bob", PodFailure.CrashLoop);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(
            ResourceTests.Pod("bob-dev", labels: new Dictionary<string, string> { ["k8shell.io/username"] = "bob" }), "default", cancellationToken: Token);

        var pod = await cluster.WaitForPodAsync("bob-dev", p => p.Status.ContainerStatuses?[0].RestartCount > 2 && Waiting(p) == "CrashLoopBackOff", "crash looped");
        var container = pod.Status.ContainerStatuses[0];
        Assert.Equal((1, "Error"), (container.LastState.Terminated.ExitCode, container.LastState.Terminated.Reason));
        Assert.Equal("Running", pod.Status.Phase);
        var backOff = Assert.Single(await cluster.EventsAsync("bob-dev"), e => e.Reason == "BackOff");
        Assert.Equal("Warning", backOff.Type);
        Assert.True(backOff.Count >= 2);
    }

    [Fact]
    public async Task A_pod_that_never_gets_ready_runs_with_failing_readiness_probes()
    {
        await using var cluster = await StartAsync(new() { Kubelet = new KubeletOptions { ProbeInterval = TimeSpan.FromMilliseconds(30) } });
        cluster.Kubelet.FailImage("registry.example/stuck:1", PodFailure.NeverReady);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev", "registry.example/stuck:1"), "default", cancellationToken: Token);

        await Until(() => cluster.EventsAsync("alice-dev"), events => events.Any(e => e is { Type: "Warning", Reason: "Unhealthy", Count: >= 2 }));
        var pod = await cluster.Client.CoreV1.ReadNamespacedPodAsync("alice-dev", "default", cancellationToken: Token);
        Assert.Equal("Running", pod.Status.Phase);
        Assert.False(IsReady(pod));
    }

    [Fact]
    public async Task An_unschedulable_pod_stays_pending_with_FailedScheduling()
    {
        await using var cluster = await StartAsync();
        cluster.Kubelet.FailPodsLabelled("size", "huge", PodFailure.Unschedulable);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(
            ResourceTests.Pod("alice-dev", labels: new Dictionary<string, string> { ["size"] = "huge" }), "default", cancellationToken: Token);

        var pod = await cluster.WaitForPodAsync("alice-dev",
            p => p.Status.Conditions?.Any(c => c is { Type: "PodScheduled", Status: "False", Reason: "Unschedulable" }) == true, "was found unschedulable");
        Assert.Null(pod.Spec.NodeName);
        Assert.Equal("Pending", pod.Status.Phase);
        var failed = Assert.Single(await cluster.EventsAsync("alice-dev"));
        Assert.Equal(("Warning", "FailedScheduling", "default-scheduler"), (failed.Type, failed.Reason, failed.Source.Component));
    }

    [Fact]
    public async Task A_pod_waits_for_its_claims_to_exist_and_be_bound()
    {
        await using var cluster = await StartAsync();
        var pod = ResourceTests.Pod("alice-dev");
        pod.Spec.Volumes = [new V1Volume { Name = "home", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "pvc-alice-dev-home" } }];
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Token);
        await Until(() => cluster.EventsAsync("alice-dev"), events => events.Any(e => e.Reason == "FailedScheduling"));
        Assert.Contains("persistentvolumeclaim \"pvc-alice-dev-home\" not found", (await cluster.EventsAsync("alice-dev"))[0].Message);

        await cluster.Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = Meta("pvc-alice-dev-home"),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        }, "default", cancellationToken: Token);

        await cluster.WaitForPodAsync("alice-dev", IsReady, "became Ready once its claim was bound");
    }

    [Fact]
    public async Task An_image_already_on_the_node_is_not_pulled_again_unless_the_policy_says_always()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("first"), "default", cancellationToken: Token);
        await cluster.WaitForPodAsync("first", IsReady, "became Ready");

        await api.CreateNamespacedPodAsync(ResourceTests.Pod("second"), "default", cancellationToken: Token);
        await cluster.WaitForPodAsync("second", IsReady, "became Ready");
        var events = await cluster.EventsAsync("second");
        Assert.DoesNotContain(events, e => e.Reason == "Pulling");
        Assert.Contains(events, e => e.Reason == "Pulled" && e.Message == "Container image \"registry.example/workspace:1\" already present on machine");

        await api.CreateNamespacedPodAsync(ResourceTests.Pod("latest", "registry.example/workspace:latest"), "default", cancellationToken: Token);
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("latest-again", "registry.example/workspace:latest"), "default", cancellationToken: Token);
        await cluster.WaitForPodAsync("latest-again", IsReady, "became Ready");
        Assert.Contains(await cluster.EventsAsync("latest-again"), e => e.Reason == "Pulling");
    }

    [Fact]
    public async Task A_deleted_pod_terminates_before_it_goes()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev"), "default", cancellationToken: Token);
        var ready = await cluster.WaitForPodAsync("alice-dev", IsReady, "became Ready");
        var watching = WatchTests.CollectAsync(api.WatchListNamespacedPodAsync("default", resourceVersion: ready.Metadata.ResourceVersion, cancellationToken: Token),
            until: e => e.Type == WatchEventType.Deleted);

        var deleted = await api.DeleteNamespacedPodAsync("alice-dev", "default", cancellationToken: Token);

        Assert.NotNull(deleted.Metadata.DeletionTimestamp);
        Assert.Equal(30, deleted.Metadata.DeletionGracePeriodSeconds);
        var terminating = await api.ReadNamespacedPodAsync("alice-dev", "default", cancellationToken: Token);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        var events = await watching;
        Assert.Equal(WatchEventType.Deleted, events[^1].Type);
        Assert.All(events[..^1], e => Assert.Equal(WatchEventType.Modified, e.Type));
        Assert.NotNull(events[0].Object.Metadata.DeletionTimestamp);
        Assert.Contains(events, e => e.Object.Status.ContainerStatuses[0].State.Terminated is not null);
        Assert.Contains(await cluster.EventsAsync("alice-dev"), e => e is { Reason: "Killing", Message: "Stopping container k8shell-main" });
        Assert.Empty((await api.ListNamespacedPodAsync("default", cancellationToken: Token)).Items);
    }

    [Fact]
    public async Task A_force_delete_removes_a_running_pod_at_once()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev"), "default", cancellationToken: Token);
        await cluster.WaitForPodAsync("alice-dev", IsReady, "became Ready");

        await api.DeleteNamespacedPodAsync("alice-dev", "default", gracePeriodSeconds: 0, cancellationToken: Token);

        Assert.Empty((await api.ListNamespacedPodAsync("default", cancellationToken: Token)).Items);
    }

    [Fact]
    public async Task Pods_get_their_own_loopback_address_when_asked()
    {
        await using var cluster = await StartAsync(new() { Kubelet = new KubeletOptions { DistinctPodAddresses = true } });
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("one"), "default", cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("two"), "default", cancellationToken: Token);
        var one = await cluster.WaitForPodAsync("one", IsReady, "became Ready");
        var two = await cluster.WaitForPodAsync("two", IsReady, "became Ready");
        Assert.StartsWith("127.77.", one.Status.PodIP);
        Assert.NotEqual(one.Status.PodIP, two.Status.PodIP);
    }

    internal static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true;

    internal static string? Waiting(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason;

    /// <summary>The provisioning stage a watcher would derive from the pod, coarsely.</summary>
    private static string Stage(V1Pod pod) => pod switch
    {
        _ when IsReady(pod) => "ready",
        { Spec.NodeName: null } => "pending",
        _ when pod.Status?.InitContainerStatuses?.Any(s => s.State?.Terminated is null && s.State?.Running is not null) == true => "initializing",
        _ when pod.Status?.ContainerStatuses?.Any(s => s.State?.Running is not null) == true => "starting",
        _ when pod.Status?.InitContainerStatuses?.All(s => s.State?.Terminated is not null) == true => "starting",
        _ => "scheduled",
    };
}
