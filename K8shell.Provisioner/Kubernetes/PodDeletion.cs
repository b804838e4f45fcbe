using k8s;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Deletes a pod and waits, by watching, until it is gone: a pod on a node terminates first (its
/// containers get SIGTERM and their grace period), and a new pod of the same name cannot be made before.
/// </summary>
internal sealed class PodDeletion(KubernetesApi api, TimeSpan timeout, ILogger logger)
{
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await api.DeleteAsync($"delete pod \"{name}\"", client => client.CoreV1.DeleteNamespacedPodAsync(name, api.Namespace, cancellationToken: cancellationToken), cancellationToken);
        await WaitGoneAsync(name, cancellationToken);
    }

    /// <summary>Returns once no pod of that name exists; <see cref="TimeoutException"/> after the configured bound.</summary>
    public async Task WaitGoneAsync(string name, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        waiting.CancelAfter(timeout);
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = ListWatch.RunPodAsync(api, name,
            pods =>
            {
                if (pods.Count == 0)
                {
                    gone.TrySetResult();
                }
                return ValueTask.CompletedTask;
            },
            (type, _) =>
            {
                if (type == WatchEventType.Deleted)
                {
                    gone.TrySetResult();
                }
                return ValueTask.CompletedTask;
            },
            logger, $"pod {name} going", waiting.Token);
        await Task.WhenAny(gone.Task, watch);
        await waiting.CancelAsync();
        try
        {
            await watch;
        }
        catch (OperationCanceledException) when (gone.Task.IsCompleted)
        {
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"pod \"{name}\" in \"{api.Namespace}\" is still there {timeout.TotalSeconds:0} s after it was deleted (a finalizer, or a node that does not answer?)");
        }
    }
}
