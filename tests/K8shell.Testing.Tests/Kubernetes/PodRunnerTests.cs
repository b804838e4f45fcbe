using k8s;
using K8shell.Testing.Kubernetes;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>Run mode: the test's process is the pod (k8shelld in end-to-end tests); readiness and deletion follow it.</summary>
public sealed class PodRunnerTests
{
    [Fact]
    public async Task A_pod_is_ready_only_once_its_process_is_and_deleting_it_stops_the_process()
    {
        await using var cluster = await StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource<(ChildProcess Process, string? PodIp)>(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Kubelet.Runner = async (pod, cancellationToken) =>
        {
            var process = ChildProcess.Start("workspace", "sleep", ["600"]);
            started.TrySetResult((process, pod["status"]?["podIP"]?.ToString()));
            await release.Task.WaitAsync(cancellationToken);
            return RunningContainer.Of(process);
        };
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev"), "default", cancellationToken: Token);

        var (process, podIp) = await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal("127.0.0.1", podIp);
        await cluster.WaitForPodAsync("alice-dev", p => p.Status.ContainerStatuses?[0].State.Running is not null, "started its container");
        await Task.Delay(100, Token);
        Assert.False(KubeletTests.IsReady(await cluster.Client.CoreV1.ReadNamespacedPodAsync("alice-dev", "default", cancellationToken: Token)));

        release.SetResult();
        await cluster.WaitForPodAsync("alice-dev", KubeletTests.IsReady, "became Ready once its process was");
        Assert.False(process.HasExited);

        var pid = process.Id;
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("alice-dev", "default", cancellationToken: Token);
        Assert.True(await Eventually.WaitAsync(() => cluster.Emulator.Find("pods", "default", "alice-dev") is null, TimeSpan.FromSeconds(10), Token));
        Assert.False(IsAlive(pid), "the pod's process still runs after the pod is gone");
    }

    [Fact]
    public async Task A_process_that_ends_with_status_0_under_OnFailure_leaves_the_pod_Succeeded()
    {
        await using var cluster = await StartAsync();
        cluster.Kubelet.Runner = (_, _) => Task.FromResult(RunningContainer.Of(ChildProcess.Start("workspace", "true", [])));
        var pod = ResourceTests.Pod("alice-dev");
        pod.Spec.RestartPolicy = "OnFailure";
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Token);

        var finished = await cluster.WaitForPodAsync("alice-dev", p => p.Status.Phase == "Succeeded", "succeeded");
        var container = finished.Status.ContainerStatuses[0];
        Assert.Equal((0, "Completed"), (container.State.Terminated.ExitCode, container.State.Terminated.Reason));
        Assert.False(KubeletTests.IsReady(finished));
    }

    [Fact]
    public async Task A_process_that_fails_is_restarted_by_calling_the_runner_again()
    {
        await using var cluster = await StartAsync(new() { Kubelet = new KubeletOptions { BackOff = TimeSpan.FromMilliseconds(20) } });
        var runs = 0;
        cluster.Kubelet.Runner = (_, _) => Interlocked.Increment(ref runs) == 1
            ? Task.FromResult(RunningContainer.Of(ChildProcess.Start("workspace", "false", [])))
            : Task.FromResult(RunningContainer.Of(ChildProcess.Start("workspace", "sleep", ["600"])));
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev"), "default", cancellationToken: Token);

        var ready = await cluster.WaitForPodAsync("alice-dev", p => KubeletTests.IsReady(p) && p.Status.ContainerStatuses[0].RestartCount == 1, "restarted and became Ready");
        Assert.Equal(1, ready.Status.ContainerStatuses[0].LastState.Terminated.ExitCode);
        Assert.Equal(2, runs);
        Assert.Contains(await cluster.EventsAsync("alice-dev"), e => e is { Type: "Warning", Reason: "BackOff" });
    }

    [Fact]
    public async Task A_runner_that_throws_counts_as_a_crash()
    {
        await using var cluster = await StartAsync(new() { Kubelet = new KubeletOptions { BackOff = TimeSpan.FromMilliseconds(20) } });
        cluster.Kubelet.Runner = (_, _) => throw new InvalidOperationException("k8shelld would not start");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev"), "default", cancellationToken: Token);

        var crashing = await cluster.WaitForPodAsync("alice-dev", p => p.Status.ContainerStatuses?[0].RestartCount >= 2, "crash looped");
        Assert.Equal("k8shelld would not start", crashing.Status.ContainerStatuses[0].LastState.Terminated.Message);
    }

    [Fact]
    public async Task Disposing_the_emulator_stops_every_pods_process()
    {
        var cluster = await StartAsync();
        var processes = new List<int>();
        cluster.Kubelet.Runner = (_, _) =>
        {
            var process = ChildProcess.Start("workspace", "sleep", ["600"]);
            lock (processes)
            {
                processes.Add(process.Id);
            }
            return Task.FromResult(RunningContainer.Of(process));
        };
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("one"), "default", cancellationToken: Token);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod("two"), "default", cancellationToken: Token);
        await cluster.WaitForPodAsync("one", KubeletTests.IsReady, "became Ready");
        await cluster.WaitForPodAsync("two", KubeletTests.IsReady, "became Ready");

        await cluster.DisposeAsync();

        Assert.Equal(2, processes.Count);
        Assert.All(processes, pid => Assert.False(IsAlive(pid)));
    }

    /// <summary>Whether the process still exists (the runner's handle is disposed once it is stopped, so ask the kernel).</summary>
    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");
}
