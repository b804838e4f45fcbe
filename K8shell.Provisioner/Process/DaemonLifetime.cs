namespace K8shell.Provisioner.Process;

/// <summary>Ties the local daemons to the Provisioner's life: adopted at start, stopped at shutdown.</summary>
internal sealed class DaemonLifetime(ProcessBackend backend) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => backend.AdoptAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => backend.ShutDownAsync(cancellationToken);
}
