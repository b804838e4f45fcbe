using K8shell.Contracts.Provisioner.V1;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Workspaces;

/// <summary>Makes each authenticated connection its <see cref="ConnectionWorkspace"/> from the proxy's shared parts.</summary>
internal sealed class ConnectionWorkspaces(
    ProvisionerService.ProvisionerServiceClient provisioner,
    DaemonChannels daemons,
    IOptions<SshProxyOptions> options,
    ProxyTelemetry telemetry,
    ILogger<ConnectionWorkspace> logger)
{
    public ConnectionWorkspace For(ConnectionWorkspace.Context connection) => new(provisioner, daemons, options, telemetry, logger, connection);
}
