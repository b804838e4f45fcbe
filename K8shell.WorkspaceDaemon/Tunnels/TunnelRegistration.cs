using K8shell.WorkspaceDaemon.Agent;
using K8shell.WorkspaceDaemon.Security;

namespace K8shell.WorkspaceDaemon.Tunnels;

public static class TunnelRegistration
{
    /// <summary>What TunnelService shares between calls: the accepted connections waiting for their Accept, and the agent sockets.</summary>
    public static WebApplicationBuilder AddTunnels(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PendingConnections>();
        builder.Services.AddSingleton<AgentSockets>();
        builder.Services.AddSingleton<FilesystemIdentity>();
        return builder;
    }
}
