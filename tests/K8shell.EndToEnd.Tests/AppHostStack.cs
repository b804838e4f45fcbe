using K8shell.AppHost.Model;
using K8shell.Testing;
using K8shell.Testing.AppHost;
using NATS.Client.Core;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The AppHost's whole model started as local processes for a test, as <c>./run.sh</c> starts it: Process backend,
/// nats-server as a local program, the developer seeded from a HOME of the stack's own (with its key), random ports,
/// the gateway's policy in <see cref="PolicyFile"/>, the Provisioner's blueprints in <see cref="BlueprintDirectory"/>. A subclass adds files before the start (<see cref="PrepareAsync"/>)
/// and settings of its own (<see cref="Configure"/>), as the AppHost's own WithEnvironment callbacks are added.
/// </summary>
public abstract class AppHostStack : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("k8shell-e2e-home-").FullName;
    private DistributedApplicationTestingBuilder? _builder;
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("the stack has not started");

    /// <summary>The developer the AppHost seeded: this OS user, with <see cref="KeyFile"/>.</summary>
    public string User => Environment.UserName;

    public string KeyFile => Path.Combine(_home, ".ssh", "id_ed25519");

    public string Home => _home;

    /// <summary>The Provisioner's blueprints: the shipped samples and <see cref="SlowBlueprint"/>.</summary>
    public string BlueprintDirectory => Path.Combine(_home, "blueprints");

    /// <summary>A blueprint whose init script takes 10 s, so a login sees the workspace start (the sleep is the tests' margin).</summary>
    public const string SlowBlueprint = "slow";

    /// <summary>The gateway's policy (SshProxy:Policy:File): <see cref="Policies.EndToEnd"/>.</summary>
    public string PolicyFile => Path.Combine(_home, "policy.yaml");

    public int SshPort => App.GetEndpoint("ssh-proxy", "ssh").Port;

    /// <summary>The run's K8SHELL_DATA: every service's state under a folder named after it.</summary>
    public string DataDirectory => _builder?.Options.DataDirectory ?? throw new InvalidOperationException("the stack has not started");

    /// <summary>A connection of the test's own to the stack's nats-server (its buckets and subjects); the caller disposes it.</summary>
    public async Task<NatsConnection> ConnectNatsAsync()
    {
        var nats = new NatsConnection(new NatsOpts { Url = await App.GetConnectionStringAsync("nats") ?? "" });
        await nats.ConnectAsync();
        return nats;
    }

    /// <summary>The Process backend's running workspaces: a <c>k8shelld.pid</c> ("pid start-time") in each workspace's folder, in path order.</summary>
    public List<string> DaemonPidFiles() =>
        [.. Directory.EnumerateFiles(DataDirectory, "k8shelld.pid", SearchOption.AllDirectories).Order()];

    public async ValueTask InitializeAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        await SshKeys.GenerateAsync(KeyFile, cancellationToken: cancellation);
        await File.WriteAllTextAsync(PolicyFile, Policies.EndToEnd, cancellation);
        WriteBlueprints();
        await PrepareAsync(cancellation);
        _builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.K8shell_AppHost>(configure: options =>
        {
            options.EnvironmentOverrides["HOME"] = _home;
            options.EnvironmentOverrides["K8SHELL_WORKSPACE_BACKEND"] = "process";
            options.EnvironmentOverrides["K8SHELL_CONTAINER_ENGINE"] = "none";
        }, cancellationToken: cancellation);
        AddEnvironment("ssh-proxy", context => context.EnvironmentVariables["SshProxy__Policy__File"] = PolicyFile);
        AddEnvironment("provisioner", context => context.EnvironmentVariables["Provisioner__Blueprints__Directory"] = BlueprintDirectory);
        Configure(_builder);
        _app = await _builder.BuildAsync(cancellation);
        await _app.StartAsync(cancellation).WaitAsync(TimeSpan.FromMinutes(3), cancellation);
    }

    private void WriteBlueprints()
    {
        Directory.CreateDirectory(BlueprintDirectory);
        foreach (var sample in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "K8shell.Provisioner", "samples"), "*.yaml"))
        {
            File.Copy(sample, Path.Combine(BlueprintDirectory, Path.GetFileName(sample)));
        }
        File.WriteAllText(Path.Combine(BlueprintDirectory, $"{SlowBlueprint}.yaml"), $$$"""
            blueprints:
              - name: {{{SlowBlueprint}}}
                description: A workspace that takes a while to start (the e2e tests of the provisioning display)
                template: base
                splash: |
                  Welcome to the slow workspace, {{.Username}}.
                initScripts:
                  - name: wait
                    script: sleep 10
            """);
    }

    /// <summary>Files and helpers the stack's settings name, made before the model is built.</summary>
    protected virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Settings of this stack, on the model before it is built (see <see cref="AddEnvironment"/>).</summary>
    protected virtual void Configure(DistributedApplicationTestingBuilder builder)
    {
    }

    /// <summary>Environment for one resource, added as the AppHost's own WithEnvironment callbacks are (evaluated at each start).</summary>
    protected void AddEnvironment(string resource, Action<EnvironmentCallbackContext> callback) =>
        _builder!.Resources.OfType<IResourceWithEnvironment>().Single(candidate => candidate.Name == resource)
            .Annotations.Add(new EnvironmentCallbackAnnotation(callback));

    /// <summary>What the subclass started besides the stack, released after the stack stopped.</summary>
    protected virtual ValueTask DisposeOwnAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_builder is not null)
        {
            await _builder.DisposeAsync();
        }
        await DisposeOwnAsync();
        Directory.Delete(_home, recursive: true);
        GC.SuppressFinalize(this);
    }
}
