using K8shell.SshProxy.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K8shell.SshProxy.Tests.Authorization;

/// <summary>A host with <c>AddPolicies()</c> and the given configuration, started (options validated) as the proxy starts.</summary>
internal sealed class PolicyHost(IHost host, LoggedMessages logged) : IAsyncDisposable
{
    public LoggedMessages Logged => logged;

    public PolicyEngine Engine => host.Services.GetRequiredService<PolicyEngine>();

    public IServiceProvider Services => host.Services;

    public static async Task<PolicyHost> StartAsync(Dictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var logged = new LoggedMessages();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(logged);
        builder.AddPolicies();
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new PolicyHost(host, logged);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
