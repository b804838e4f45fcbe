namespace K8shell.Testing.Kubernetes;

/// <summary>
/// A deleted pod: its containers get Killing events and are stopped (the test's process too), their
/// states turn terminated, and after the simulated grace the kubelet removes the pod for good.
/// </summary>
internal sealed partial class PodLifecycle
{
    /// <summary>The pod has a deletionTimestamp: stop it, then finish the delete.</summary>
    public Task TerminateAsync()
    {
        lock (_gate)
        {
            return _termination ??= Task.Run(TerminateCoreAsync);
        }
    }

    /// <summary>The pod is gone already (force delete) or the node shuts down: stop without writing anything.</summary>
    public async Task StopAsync()
    {
        await _life.CancelAsync();
        await _run;
        await StopProcessAsync();
    }

    private async Task TerminateCoreAsync()
    {
        await _life.CancelAsync();
        await _run;
        try
        {
            var pod = Current();
            foreach (var container in _containers.Where(c => PodStatus.Find(pod, c)?["state"]?["running"] is not null))
            {
                _kubelet.Events.Normal(pod, ResourceKind.Pods, container.FieldPath, "Killing", $"Stopping container {container.Name}");
            }
            await StopProcessAsync();
            var grace = TimeSpan.FromSeconds(pod.Number("metadata", "deletionGracePeriodSeconds") ?? 0);
            await Task.Delay(grace < Options.TerminationDelay ? grace : Options.TerminationDelay);
            Update(current =>
            {
                foreach (var container in _containers)
                {
                    var status = PodStatus.Container(current, container);
                    if (status["state"]?["running"] is not null)
                    {
                        PodStatus.Terminated(status, 0, "Completed");
                    }
                }
                PodStatus.SetReady(current, _containers, ready: false);
            });
            _kubelet.Store.Delete(ResourceKind.Pods, _namespace, _name, new DeleteOptions(GracePeriodSeconds: 0, PreconditionUid: _uid));
        }
        catch (Exception error) when (error is PodGoneException or ApiException)
        {
            // Already removed (a force delete overtook us).
        }
    }

    private async Task StopProcessAsync()
    {
        RunningContainer? process;
        lock (_gate)
        {
            _stopping = true;
            process = _process;
            _process = null;
        }
        if (process is not null)
        {
            await process.StopAsync();
        }
    }
}
