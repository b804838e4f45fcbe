using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// Starts what a pod runs, as a local process, for tests that need a pod to really serve (k8shelld
/// that a test then reaches with ssh). The pod becomes Ready when the returned task completes; the
/// kubelet stops the container when the pod is deleted. The pod passed in carries its
/// <c>status.podIP</c>, the address the process should listen on.
/// </summary>
public delegate Task<RunningContainer> PodRunner(JsonObject pod, CancellationToken cancellationToken);

/// <summary>What a <see cref="PodRunner"/> started: how to stop it and how to notice that it ended on its own.</summary>
public sealed class RunningContainer
{
    private readonly Func<ValueTask> _stop;
    private int _stopped;

    /// <param name="stop">Stops the process (SIGTERM, then kill), as the kubelet stops a deleted pod's containers.</param>
    /// <param name="exited">Completes with the exit status when the process ends on its own; null if it is never watched.</param>
    public RunningContainer(Func<ValueTask> stop, Task<int>? exited = null)
    {
        _stop = stop;
        Exited = exited ?? new TaskCompletionSource<int>().Task;
    }

    /// <summary>Completes with the exit status when the container ends; the kubelet then restarts it or finishes the pod, per restartPolicy.</summary>
    public Task<int> Exited { get; }

    /// <summary>A child process as the pod's container: stopped with SIGTERM and <paramref name="grace"/> (5 s unless given), then killed.</summary>
    public static RunningContainer Of(ChildProcess process, TimeSpan? grace = null) => new(
        async () =>
        {
            if (!process.HasExited)
            {
                try
                {
                    await process.StopAsync(grace ?? TimeSpan.FromSeconds(5));
                }
                catch (TimeoutException)
                {
                    // StopAsync killed it.
                }
            }
            await process.DisposeAsync();
        },
        process.WaitForExitAsync(Timeout.InfiniteTimeSpan));

    internal async ValueTask StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stop();
        }
    }
}
