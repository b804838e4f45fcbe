using K8shell.AppHost.Model;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Testing.AppHost;

namespace K8shell.Bench;

/// <summary>
/// The whole stack as <c>./run.sh</c> starts it (AppHost model, Process backend, nats-server, every service built in
/// Release), with the developer seeded from the run's HOME so the same user key logs in to it and to sshd.
/// </summary>
internal sealed class StackUnderTest : IAsyncDisposable
{
    private readonly DistributedApplicationTestingBuilder _builder;
    private readonly DistributedApplication _app;

    private StackUnderTest(DistributedApplicationTestingBuilder builder, DistributedApplication app)
    {
        _builder = builder;
        _app = app;
    }

    public int SshPort => _app.GetEndpoint("ssh-proxy", "ssh").Port;

    public int ProxyProcessId => _app.GetResourceProcessId("ssh-proxy") ?? throw new InvalidOperationException("the proxy's process is gone");

    public static async Task<StackUnderTest> StartAsync(BenchKeys keys, CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.K8shell_AppHost>(configure: options =>
        {
            options.EnvironmentOverrides["HOME"] = keys.Home;
            options.EnvironmentOverrides["K8SHELL_WORKSPACE_BACKEND"] = "process";
            options.EnvironmentOverrides["K8SHELL_CONTAINER_ENGINE"] = "none";
        }, cancellationToken: cancellationToken);
        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(3), cancellationToken);
        return new StackUnderTest(builder, app);
    }

    /// <summary>Deletes the user's workspaces (as the proxy's caller), so the next login provisions a new one.</summary>
    public async Task DeleteWorkspacesAsync(string user, CancellationToken cancellationToken) =>
        await _app.CreateGrpcClient<ProvisionerService.ProvisionerServiceClient>("provisioner", "ssh-proxy")
            .DeleteUserWorkspacesAsync(new DeleteUserWorkspacesRequest { Username = user }, cancellationToken: cancellationToken);

    /// <summary>The proxy and the workspaces' k8shelld (the Provisioner's children; each reaps the commands it runs).</summary>
    public SshTarget Target(BenchKeys keys) => new("k8shell", SshPort, Environment.UserName, keys.UserKey)
    {
        Cpu = new ServerCpu(() => [ProxyProcessId, .. DaemonProcessIds]),
    };

    private IEnumerable<int> DaemonProcessIds
    {
        get
        {
            var provisioner = _app.GetResourceProcessId("provisioner") ?? throw new InvalidOperationException("the Provisioner's process is gone");
            return ProcessStats.TreeNamed(provisioner, "dotnet").Where(pid => pid != provisioner);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _builder.DisposeAsync();
    }
}
