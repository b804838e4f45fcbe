namespace K8shell.Testing.Kubernetes;

/// <summary>
/// Running containers: Ready at once, Ready when the test's <see cref="PodRunner"/> says so (and
/// restarted or finished per restartPolicy when its process ends), or failing for ever as chosen:
/// never ready (Unhealthy events) or crash looping (restarts, BackOff events, CrashLoopBackOff).
/// </summary>
internal sealed partial class PodLifecycle
{
    private async Task RunContainersAsync(CancellationToken cancellationToken)
    {
        var byLabel = _kubelet.LabelFailure(_pod);
        var failure = byLabel is PodFailure.CrashLoop or PodFailure.NeverReady
            ? byLabel
            : _containers.Select(c => _kubelet.ImageFailure(c.Image)).FirstOrDefault(f => f is PodFailure.CrashLoop or PodFailure.NeverReady);
        switch (failure)
        {
            case PodFailure.CrashLoop:
                await CrashLoopAsync(cancellationToken);
                break;
            case PodFailure.NeverReady:
                await NeverReadyAsync(cancellationToken);
                break;
            default:
                if (_kubelet.Runner is { } runner)
                {
                    await RunProcessAsync(runner, cancellationToken);
                }
                else
                {
                    Update(pod => PodStatus.SetReady(pod, _containers, ready: true));
                }
                break;
        }
    }

    private async Task CrashLoopAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await Task.Delay(Options.CrashAfter, cancellationToken);
            await RestartAsync(_containers[0], exitCode: 1, attempt, cancellationToken);
        }
    }

    private async Task NeverReadyAsync(CancellationToken cancellationToken)
    {
        var address = Current().Text("status", "podIP");
        while (true)
        {
            _kubelet.Events.Warning(Current(), ResourceKind.Pods, _containers[0].FieldPath, "Unhealthy",
                $"Readiness probe failed: dial tcp {address}:2822: connect: connection refused");
            await Task.Delay(Options.ProbeInterval, cancellationToken);
        }
    }

    /// <summary>The test's process is the pod's containers: Ready once started, restarted or finished when it ends.</summary>
    private async Task RunProcessAsync(PodRunner runner, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            RunningContainer process;
            try
            {
                process = await runner(Current(), cancellationToken);
            }
            catch (Exception error) when (error is not (OperationCanceledException or PodGoneException))
            {
                await RestartAsync(_containers[0], exitCode: 1, attempt, cancellationToken, error.Message);
                continue;
            }
            lock (_gate)
            {
                if (_stopping)
                {
                    _ = process.StopAsync().AsTask();
                    return;
                }
                _process = process;
            }
            Update(pod => PodStatus.SetReady(pod, _containers, ready: true));
            var exitCode = await process.Exited.WaitAsync(cancellationToken);
            lock (_gate)
            {
                _process = null;
            }
            await process.StopAsync();
            var policy = _pod.Text("spec", "restartPolicy");
            if (policy == "Always" || (policy == "OnFailure" && exitCode != 0))
            {
                await RestartAsync(_containers[0], exitCode, attempt, cancellationToken);
                continue;
            }
            Update(pod => Finish(pod, exitCode));
            return;
        }
    }

    /// <summary>The container ended: CrashLoopBackOff, a BackOff event, and after the back-off it starts again.</summary>
    private async Task RestartAsync(ContainerRef container, long exitCode, int attempt, CancellationToken cancellationToken, string? message = null)
    {
        var backOff = Options.BackOffBefore(attempt);
        Update(pod =>
        {
            var status = PodStatus.Container(pod, container);
            PodStatus.Restarting(status, exitCode,
                $"back-off {Math.Max(1, (int)backOff.TotalSeconds)}s restarting failed container={container.Name} pod={PodId}");
            if (message is not null)
            {
                status["lastState"]!["terminated"]!["message"] = message;
            }
            PodStatus.SetReady(pod, _containers, ready: false);
        });
        _kubelet.Events.Warning(Current(), ResourceKind.Pods, container.FieldPath, "BackOff",
            $"Back-off restarting failed container {container.Name} in pod {PodId}");
        await Task.Delay(backOff, cancellationToken);
        await StartContainerAsync(container, pullFails: false, cancellationToken);
    }

    /// <summary>The pod's process ended for good (restartPolicy OnFailure with status 0, or Never): Succeeded or Failed.</summary>
    private void Finish(System.Text.Json.Nodes.JsonObject pod, long exitCode)
    {
        foreach (var container in _containers)
        {
            var status = PodStatus.Container(pod, container);
            if (status["state"]?["terminated"] is null)
            {
                PodStatus.Terminated(status, exitCode, exitCode == 0 ? "Completed" : "Error");
            }
        }
        PodStatus.SetReady(pod, _containers, ready: false);
        PodStatus.SetCondition(pod, "Ready", false, "PodCompleted");
        PodStatus.SetCondition(pod, "ContainersReady", false, "PodCompleted");
        pod.Status()["phase"] = exitCode == 0 ? "Succeeded" : "Failed";
    }
}
