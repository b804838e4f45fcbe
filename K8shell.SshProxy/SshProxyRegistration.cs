using K8shell.Contracts.Identity.V1;
using K8shell.Contracts.Provisioner.V1;
using K8shell.ServiceDefaults;
using K8shell.Ssh.HostKeys;
using K8shell.SshProxy.Authentication;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Workspaces;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy;

/// <summary>The gateway's own services: the listener, authentication through Identity, workspaces through the Provisioner.</summary>
internal static class SshProxyRegistration
{
    public static IHostApplicationBuilder AddSshProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SshProxyOptions>().BindConfiguration(SshProxyOptions.Section).ValidateDataAnnotations()
            .Validate(options => System.Net.IPAddress.TryParse(options.ListenAddress, out _), $"{SshProxyOptions.Section}:ListenAddress must be an IP address")
            .PostConfigure(options => options.DataDirectory = Path.GetFullPath(options.DataDirectory, builder.Environment.ContentRootPath))
            .ValidateOnStart();
        // The host must wait for the listener's drain: the grace, then the disconnects.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<SshProxyOptions>>((host, proxy) =>
            host.ShutdownTimeout = proxy.Value.ShutdownGrace + TimeSpan.FromSeconds(10));

        builder.Services.AddServiceGrpcClient<IdentityService.IdentityServiceClient>("identity");
        builder.Services.AddServiceGrpcClient<ProvisionerService.ProvisionerServiceClient>("provisioner");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<UserTokens>();
        builder.Services.AddSingleton<DaemonChannels>();
        builder.Services.AddSingleton<ConnectionWorkspaces>();
        builder.Services.AddSingleton<ProxyTelemetry>();
        builder.Services.AddSingleton<IReadOnlyList<HostKey>>(services =>
            HostKeyFiles.LoadOrCreate(Path.Combine(services.GetRequiredService<IOptions<SshProxyOptions>>().Value.DataDirectory, "host-keys")));
        builder.Services.AddSingleton<ConnectionHandler>();
        builder.Services.AddSingleton<SshListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SshListener>());
        return builder;
    }
}
