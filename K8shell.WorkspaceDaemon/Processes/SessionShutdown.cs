namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// When the daemon is told to stop (SIGTERM: the pod is deleted, the workspace stopped), every
/// session's process group gets SIGTERM too, time to end and report its exit, and SIGKILL after
/// <see cref="Grace"/>. Then the daemon exits with nothing left running. It happens in the
/// "stopping" phase, before the web server stops: the server waits for open calls, and the calls
/// end only when their processes do.
/// </summary>
internal sealed class SessionShutdown(SessionRegistry sessions, ILogger<SessionShutdown> logger) : IHostedLifecycleService
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var running = sessions.All;
        if (running.Count > 0)
        {
            logger.LogInformation("Stopping: SIGTERM to {Count} session process groups, SIGKILL after {Grace}", running.Count, Grace);
            await Task.WhenAll(running.Select(process => process.StopAsync(SignalNames.Terminate, Grace)));
        }
    }
}
