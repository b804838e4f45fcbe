using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Workspaces;
using K8shell.Testing.Kubernetes;
using static K8shell.Provisioner.Tests.Kubernetes.WorkspaceCluster;
using Severity = K8shell.Contracts.Provisioner.V1.ProvisionEvent.Types.Severity;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>The way to Running as reported: slow pulls, failures that end a start, watches that break on the way.</summary>
public sealed class KubernetesStartTests
{
    private const string Image = $"{Registry}/debian:12";

    [Fact]
    public async Task A_pull_longer_than_the_grace_is_reported_as_Pulling_after_its_Pulling_event()
    {
        await using var cluster = await StartAsync(configure: options => options.PullingGrace = TimeSpan.FromMilliseconds(200));
        cluster.Kubelet.SetPullDuration(Image, TimeSpan.FromSeconds(2));
        var spec = Specs.Of("alice~dev");

        var reports = await cluster.ApplyAsync(spec);

        var pulling = reports.FindIndex(r => !r.IsBackendEvent && r.Status == WorkspaceStatus.Pulling);
        Assert.True(pulling >= 0, $"no Pulling stage in {Stages(reports)}");
        Assert.Equal(("Pulling", $"pulling image {Image}"), (reports[pulling].Stage, reports[pulling].Message));
        var pullEvent = reports.FindIndex(r => r.IsBackendEvent && r.Message == $"Pulling: Pulling image \"{Image}\"");
        var pulledEvent = reports.FindIndex(r => r.IsBackendEvent && r.Message.StartsWith($"Pulled: Successfully pulled image \"{Image}\"", StringComparison.Ordinal));
        Assert.InRange(pulling, pullEvent + 1, pulledEvent - 1);
        Assert.Equal("Pulling, Starting, Running", string.Join(", ", reports.Skip(pulling).Where(r => !r.IsBackendEvent).Select(r => r.Stage)));
    }

    [Fact]
    public async Task A_pull_shorter_than_the_grace_is_never_reported_as_Pulling()
    {
        // The same two-second pull, but the grace is longer: what a cached or quick pull looks like.
        await using var cluster = await StartAsync(configure: options => options.PullingGrace = TimeSpan.FromMinutes(10));
        cluster.Kubelet.SetPullDuration(Image, TimeSpan.FromSeconds(2));

        var reports = await cluster.ApplyAsync(Specs.Of("alice~dev"));

        Assert.Contains(reports, r => r.IsBackendEvent && r.Message == $"Pulling: Pulling image \"{Image}\"");
        Assert.DoesNotContain(reports, r => r.Status == WorkspaceStatus.Pulling);
        Assert.Equal(WorkspaceStatus.Running, reports[^1].Status);
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_is_a_critical_event_and_the_start_ends_Failing()
    {
        await using var cluster = await StartAsync();
        cluster.Kubelet.FailImage(Image, PodFailure.ImagePull);
        var spec = Specs.Of("alice~dev");

        var reports = await cluster.ApplyAsync(spec);

        var last = reports[^1];
        Assert.Equal((WorkspaceStatus.Failing, "Failed", false), (last.Status, last.Stage, last.IsBackendEvent));
        var critical = reports[^2];
        Assert.True(critical.IsBackendEvent);
        Assert.Equal(Severity.Critical, critical.Severity);
        Assert.StartsWith($"Failed: Failed to pull image \"{Image}\"", critical.Message);
        Assert.Equal(critical.Message, last.Message);
        Assert.Single(reports, r => r.Severity == Severity.Critical);
    }

    [Fact]
    public async Task A_crash_loop_is_a_warning_at_first_and_fails_the_start_past_the_restart_threshold()
    {
        await using var cluster = await StartAsync(new KubeletOptions { BackOff = TimeSpan.FromMilliseconds(20), CrashAfter = TimeSpan.FromMilliseconds(20) });
        var spec = Specs.Of("alice~dev");
        cluster.Kubelet.FailPodsLabelled(WorkspaceLabels.CanonicalId, spec.Name, PodFailure.CrashLoop);

        var reports = await cluster.ApplyAsync(spec);

        Assert.Equal(WorkspaceStatus.Failing, reports[^1].Status);
        var backOffs = reports.Where(r => r.IsBackendEvent && r.Message.StartsWith("BackOff: Back-off restarting failed container", StringComparison.Ordinal)).ToList();
        Assert.Equal(Severity.Warning, backOffs[0].Severity);
        Assert.DoesNotContain(reports, r => r.Status == WorkspaceStatus.Running);
    }

    [Fact]
    public async Task A_claim_that_cannot_bind_fails_the_start_on_its_FailedBinding_event()
    {
        // No storage class: no volume is ever provisioned for the home claim.
        await using var cluster = await StartAsync(configure: options => options.StorageClassName = "");
        var spec = Specs.Of("alice~dev", Specs.Dev with { Storages = new Dictionary<string, Blueprints.Storage> { ["home"] = new("local", "/home") } });

        var reports = await cluster.ApplyAsync(spec);

        var critical = Assert.Single(reports, r => r.Severity == Severity.Critical);
        Assert.Equal($"pvc-{spec.Name}-home", critical.ObjectName);
        Assert.StartsWith("FailedBinding: ", critical.Message);
        Assert.Equal((WorkspaceStatus.Failing, $"pvc-{spec.Name}-home"), (reports[^1].Status, reports[^1].ObjectName));
    }

    [Fact]
    public async Task A_readiness_probe_that_keeps_failing_is_forwarded_as_warnings_while_the_start_goes_on()
    {
        await using var cluster = await StartAsync(new KubeletOptions { ProbeInterval = TimeSpan.FromMilliseconds(20) });
        var spec = Specs.Of("alice~dev");
        cluster.Kubelet.FailPodsLabelled(WorkspaceLabels.CanonicalId, spec.Name, PodFailure.NeverReady);
        using var enough = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var reports = new List<WorkspaceProgress>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var report in cluster.Backend.ApplyAsync(spec, enough.Token))
            {
                reports.Add(report);
                if (reports.Count(r => r.Message.StartsWith("Unhealthy: ", StringComparison.Ordinal)) == 3)
                {
                    await enough.CancelAsync();
                }
            }
        });

        Assert.All(reports.Where(r => r.Message.StartsWith("Unhealthy: ", StringComparison.Ordinal)), r => Assert.Equal(Severity.Warning, r.Severity));
        Assert.Equal((WorkspaceStatus.Starting, "Starting"), (reports.Last(r => !r.IsBackendEvent).Status, reports.Last(r => !r.IsBackendEvent).Stage));
    }

    [Fact]
    public async Task A_dropped_watch_is_resumed_and_the_start_still_reaches_Running()
    {
        await using var cluster = await StartAsync();
        cluster.Kubelet.SetPullDuration(Image, TimeSpan.FromSeconds(1));
        var spec = Specs.Of("alice~dev");
        var dropped = false;

        var reports = await cluster.ApplyAsync(spec, report =>
        {
            if (!dropped && report.Message == $"Pulling: Pulling image \"{Image}\"")
            {
                dropped = true;
                cluster.Emulator.CloseWatches();
            }
        });

        Assert.True(dropped);
        Assert.Equal(WorkspaceStatus.Running, reports[^1].Status);
        Assert.True(PodWatches(cluster, spec.Name) >= 2, "the pod was watched only once");
        var events = reports.Where(r => r.IsBackendEvent).Select(r => (r.ObjectName, r.Message)).ToList();
        Assert.Equal(events.Count, events.Distinct().Count());
    }

    [Fact]
    public async Task A_watch_answered_with_410_Gone_lists_again_and_the_start_still_reaches_Running()
    {
        // No bookmarks: the last version the backend saw is older than the compaction for sure.
        await using var cluster = await StartAsync(bookmarks: TimeSpan.FromHours(1));
        cluster.Kubelet.SetPullDuration(Image, TimeSpan.FromSeconds(1));
        var spec = Specs.Of("alice~dev");
        var compacted = false;

        var reports = await cluster.ApplyAsync(spec, report =>
        {
            if (!compacted && report.Message == $"Pulling: Pulling image \"{Image}\"")
            {
                compacted = true;
                cluster.Emulator.CompactHistory();
                cluster.Emulator.CloseWatches();
            }
        });

        Assert.True(compacted);
        Assert.Equal(WorkspaceStatus.Running, reports[^1].Status);
        var podLists = cluster.Emulator.Requests.Count(r => r.StartsWith($"GET /api/v1/namespaces/{Namespace}/pods?", StringComparison.Ordinal)
            && r.Contains($"metadata.name%3D{spec.Name}", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal));
        Assert.True(podLists >= 2, $"the pod was listed {podLists} time(s): {string.Join("\n", cluster.Emulator.Requests)}");
        var events = reports.Where(r => r.IsBackendEvent).Select(r => (r.ObjectName, r.Message)).ToList();
        Assert.Equal(events.Count, events.Distinct().Count());
    }

    private static int PodWatches(WorkspaceCluster cluster, string name) =>
        cluster.Emulator.Requests.Count(r => r.StartsWith($"GET /api/v1/namespaces/{Namespace}/pods?", StringComparison.Ordinal)
            && r.Contains($"metadata.name%3D{name}", StringComparison.Ordinal) && r.Contains("watch=true", StringComparison.Ordinal));
}
