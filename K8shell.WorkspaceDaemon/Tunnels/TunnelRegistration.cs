namespace K8shell.WorkspaceDaemon.Tunnels;

public static class TunnelRegistration
{
    /// <summary>What TunnelService shares between calls: the accepted connections waiting for their Accept.</summary>
    public static WebApplicationBuilder AddTunnels(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PendingConnections>();
        return builder;
    }
}
