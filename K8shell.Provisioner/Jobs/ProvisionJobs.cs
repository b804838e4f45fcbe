using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Jobs;

/// <summary>
/// Runs provisioning jobs, one per workspace at a time: a second request for a workspace that is being
/// provisioned joins the running job. A job applies the workspace through the backend until it runs,
/// fails or times out, turns the backend's stages into status and progress events, and records itself
/// in NATS. A job that does not end Running cleans up after itself: a new workspace is deleted, an
/// existing one stopped (its home kept). Callers leaving do not stop a job; the Provisioner stopping does.
/// </summary>
internal sealed class ProvisionJobs(IWorkspaceBackend backend, JobRecords records, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ProvisionJobs> logger)
{
    private static readonly TimeSpan CleanupLimit = TimeSpan.FromMinutes(2);

    private readonly object _gate = new();
    private readonly Dictionary<string, (RunningJob Job, CancellationTokenSource Cancellation)> _running = [];

    /// <summary>The running job of <paramref name="workspace"/>, if any.</summary>
    public RunningJob? Running(string workspace)
    {
        lock (_gate)
        {
            return _running.TryGetValue(workspace, out var running) ? running.Job : null;
        }
    }

    /// <summary>The running job with this ID, if any.</summary>
    public RunningJob? RunningById(string id)
    {
        lock (_gate)
        {
            return _running.Values.Select(running => running.Job).FirstOrDefault(job => job.Id == id);
        }
    }

    /// <summary>Joins the workspace's running job, or starts one that applies <paramref name="spec"/> (made with the new job's ID).</summary>
    public (RunningJob Job, bool Joined) StartOrJoin(string workspace, string username, string blueprint, Func<string, WorkspaceSpec> spec, bool isNew, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(workspace, out var running))
            {
                return (running.Job, true);
            }
            var job = new RunningJob(Guid.NewGuid().ToString(), workspace, username, blueprint, time.GetUtcNow());
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            _running[workspace] = (job, cancellation);
            _ = RunAsync(job, spec(job.Id), isNew, timeout, cancellation);
            return (job, false);
        }
    }

    /// <summary>Abandons the workspace's running job (it cleans up) and waits for it to end; for stop and delete.</summary>
    public async Task CancelAsync(string workspace)
    {
        (RunningJob Job, CancellationTokenSource Cancellation) running;
        lock (_gate)
        {
            if (!_running.TryGetValue(workspace, out running))
            {
                return;
            }
        }
        running.Job.Abandoned = true;
        await running.Cancellation.CancelAsync();
        await running.Job.Finished;
    }

    private async Task RunAsync(RunningJob job, WorkspaceSpec spec, bool isNew, TimeSpan timeout, CancellationTokenSource cancellation)
    {
        await Task.Yield();
        var writer = records.Writer();
        var milestones = new ProgressMilestones();
        WorkspaceProgress? outcome = null;
        var lastWord = "";
        cancellation.CancelAfter(timeout);
        logger.LogInformation("Job {Job}: provisioning {Workspace} ({Blueprint}) for {User} on the {Backend} backend", job.Id, job.Workspace, spec.Blueprint.Name,
            spec.Owner.Username, backend.Name);
        try
        {
            (WorkspaceStatus, string)? last = null;
            await foreach (var progress in backend.ApplyAsync(spec, cancellation.Token))
            {
                if (progress.IsTerminal)
                {
                    outcome = progress;
                    break;
                }
                lastWord = progress.Message;
                if (progress.IsBackendEvent)
                {
                    Publish(job, writer, Event(ProvisionEvent.Types.Type.Event, progress));
                }
                else if (last != (progress.Status, progress.Stage))
                {
                    last = (progress.Status, progress.Stage);
                    PublishStatus(job, writer, milestones, progress);
                }
            }
            if (outcome is null)
            {
                throw new OperationCanceledException();
            }
        }
        catch (Exception cancelled) when (cancelled is OperationCanceledException || cancellation.IsCancellationRequested)
        {
            // A backend call cut short by the cancellation may throw its own exception (an RpcException Cancelled).
            outcome = lifetime.ApplicationStopping.IsCancellationRequested ? Failure("the Provisioner is shutting down", job)
                : job.Abandoned ? Failure("abandoned: the workspace is being stopped or deleted", job)
                // Reference: a workspace that never becomes ready is Failing, with the last thing it said.
                : WorkspaceProgress.StageOf(WorkspaceStatus.Failing, "Failed",
                    $"the workspace did not become ready within {timeout.TotalSeconds:0} s (last: {lastWord})", job.Workspace);
        }
        catch (Exception unexpected)
        {
            logger.LogError(unexpected, "Job {Job}: provisioning {Workspace} failed", job.Id, job.Workspace);
            outcome = Failure(unexpected is WorkspaceBackendUnavailableException ? unexpected.Message : $"provisioning failed: {unexpected.Message}", job);
        }

        var succeeded = outcome.Status == WorkspaceStatus.Running;
        // Whoever stops or deletes the workspace, or the shutdown, takes care of what is left.
        if (!succeeded && !job.Abandoned && !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await CleanUpAsync(job, isNew);
        }
        PublishStatus(job, writer, milestones, outcome);
        job.Conclude(succeeded, time.GetUtcNow());
        writer.Write(job.Snapshot());
        await writer.FlushAsync();
        lock (_gate)
        {
            _running.Remove(job.Workspace);
        }
        job.Release();
        cancellation.Dispose();
        if (succeeded)
        {
            logger.LogInformation("Job {Job}: {Workspace} is running", job.Id, job.Workspace);
        }
        else
        {
            logger.LogWarning("Job {Job}: {Workspace} did not start: {Reason}", job.Id, job.Workspace, outcome.Message);
        }
    }

    private static WorkspaceProgress Failure(string reason, RunningJob job) => WorkspaceProgress.StageOf(WorkspaceStatus.Error, "Error", reason, job.Workspace);

    private void PublishStatus(RunningJob job, JobRecords.RecordWriter writer, ProgressMilestones milestones, WorkspaceProgress progress)
    {
        Publish(job, writer, Event(ProvisionEvent.Types.Type.Status, progress));
        if (milestones.After(progress.Status) is { } percent)
        {
            Publish(job, writer, Progress(job, percent));
        }
    }

    /// <summary>Leaves nothing half made: a new workspace is deleted, an existing one stopped with its home kept.</summary>
    private async Task CleanUpAsync(RunningJob job, bool isNew)
    {
        using var limit = new CancellationTokenSource(CleanupLimit);
        try
        {
            await (isNew ? backend.DeleteAsync(job.Workspace, limit.Token) : backend.StopAsync(job.Workspace, limit.Token));
        }
        catch (Exception failure)
        {
            logger.LogError(failure, "Job {Job}: cleaning up {Workspace} after the failed start failed too", job.Id, job.Workspace);
        }
    }

    private void Publish(RunningJob job, JobRecords.RecordWriter writer, ProvisionEvent @event)
    {
        job.Publish(@event);
        writer.Write(job.Snapshot());
    }

    private ProvisionEvent Event(ProvisionEvent.Types.Type type, WorkspaceProgress progress) => new()
    {
        Type = type,
        Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        ObjectName = progress.ObjectName,
        Status = progress.Status,
        Stage = progress.Stage,
        Message = progress.Message,
        Severity = progress.Severity,
    };

    private ProvisionEvent Progress(RunningJob job, uint percent) => new()
    {
        Type = ProvisionEvent.Types.Type.Progress,
        Timestamp = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        ObjectName = job.Workspace,
        Percent = percent,
        Message = $"{percent}% complete",
    };
}
