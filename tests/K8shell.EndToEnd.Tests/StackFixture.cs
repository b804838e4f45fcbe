using K8shell.AppHost.Model;
using K8shell.Testing;
using K8shell.Testing.AppHost;
using K8shell.Testing.Otlp;

[assembly: AssemblyFixture(typeof(K8shell.EndToEnd.Tests.StackFixture))]

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The stack as <c>./run.sh</c> starts it, once for the test assembly: Process backend, nats-server as a local
/// process, the developer seeded from a HOME of the fixture's own (with its key), random ports. The gateway gets
/// the policy in <see cref="PolicyFile"/> and publishes failures for loopback clients too (the dev stack's setting).
/// Every service exports its traces, metrics and logs to <see cref="Telemetry"/>, as it would to a collector.
/// Identity also reads <see cref="TestUsers"/> (users with passwords) and onboards <see cref="Onboarding"/>'s
/// accounts through a GitHub provider pointed at <see cref="OAuth"/>: the real GitHub is unreachable from our machines.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("k8shell-e2e-home-").FullName;
    private DistributedApplicationTestingBuilder? _builder;
    private DistributedApplication? _app;
    private OtlpReceiver? _telemetry;
    private LocalOAuthServer? _oauth;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("the stack has not started");

    /// <summary>The developer the AppHost seeded: this OS user, with <see cref="KeyFile"/>.</summary>
    public string User => Environment.UserName;

    public string KeyFile => Path.Combine(_home, ".ssh", "id_ed25519");

    public string Home => _home;

    /// <summary>The Provisioner's blueprints: the shipped samples and <see cref="SlowBlueprint"/>.</summary>
    public string BlueprintDirectory => Path.Combine(_home, "blueprints");

    /// <summary>A blueprint whose init script takes 10 s, so a login sees the workspace start (the sleep is the tests' margin).</summary>
    public const string SlowBlueprint = "slow";

    /// <summary>A policy the tests rely on: see the file's comments.</summary>
    public string PolicyFile => Path.Combine(_home, "policy.yaml");

    /// <summary>What the services exported over OTLP during the run.</summary>
    public OtlpReceiver Telemetry => _telemetry ?? throw new InvalidOperationException("the stack has not started");

    public int SshPort => App.GetEndpoint("ssh-proxy", "ssh").Port;

    /// <summary>The key <see cref="Onboarding.NewUser"/> has at <see cref="OAuth"/>.</summary>
    public string NewUserKeyFile => Onboarding.KeyFile(_home);

    /// <summary>The GitHub stand-in Identity onboards new users from.</summary>
    public LocalOAuthServer OAuth => _oauth ?? throw new InvalidOperationException("the stack has not started");

    /// <summary>The run's K8SHELL_DATA: every service's state under a folder named after it.</summary>
    public string DataDirectory => _builder?.Options.DataDirectory ?? throw new InvalidOperationException("the stack has not started");

    public async ValueTask InitializeAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        await SshKeys.GenerateAsync(KeyFile, cancellationToken: cancellation);
        await File.WriteAllTextAsync(PolicyFile, Policies.EndToEnd, cancellation);
        _telemetry = await OtlpReceiver.StartAsync();
        WriteBlueprints();
        var usersFile = Path.Combine(_home, "users.yaml");
        await File.WriteAllTextAsync(usersFile, await TestUsers.FileAsync(cancellation), cancellation);
        _oauth = await LocalOAuthServer.StartAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(Onboarding.KeyFile(_home))!);
        Onboarding.AddAccounts(_oauth, await SshKeys.GenerateAsync(Onboarding.KeyFile(_home), cancellationToken: cancellation));
        _builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.K8shell_AppHost>(configure: options =>
        {
            options.EnvironmentOverrides["HOME"] = _home;
            options.EnvironmentOverrides["K8SHELL_WORKSPACE_BACKEND"] = "process";
            options.EnvironmentOverrides["K8SHELL_CONTAINER_ENGINE"] = "none";
        }, cancellationToken: cancellation);
        AddEnvironment("ssh-proxy", context => context.EnvironmentVariables["SshProxy__Policy__File"] = PolicyFile);
        AddEnvironment("provisioner", context => context.EnvironmentVariables["Provisioner__Blueprints__Directory"] = BlueprintDirectory);
        AddEnvironment("identity", context =>
        {
            // After the AppHost's dev user file (index 0).
            context.EnvironmentVariables["Identity__UserFiles__1"] = usersFile;
            foreach (var (name, value) in Onboarding.ProviderSettings(_oauth.Address))
            {
                context.EnvironmentVariables[name] = value;
            }
        });
        foreach (var service in _builder.Resources.OfType<ProjectResource>())
        {
            // The OTLP exporter's own variables, as a collector's address reaches services in a deployment.
            service.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.GetLeftPart(UriPartial.Authority);
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
                // The receiver lives in the test process, which a loaded CI machine can stall past the exporter's 10 s: a
                // batch that times out is dropped (a run once missed the spans under provision). Wait longer; retry transient failures.
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_TIMEOUT"] = "60000";
                context.EnvironmentVariables["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
            }));
        }
        _app = await _builder.BuildAsync(cancellation);
        await _app.StartAsync(cancellation).WaitAsync(TimeSpan.FromMinutes(3), cancellation);
    }

    /// <summary>Environment for one resource, added as the AppHost's own WithEnvironment callbacks are.</summary>
    private void AddEnvironment(string resource, Action<EnvironmentCallbackContext> callback) =>
        _builder!.Resources.OfType<IResourceWithEnvironment>().Single(candidate => candidate.Name == resource)
            .Annotations.Add(new EnvironmentCallbackAnnotation(callback));

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
        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }
        if (_oauth is not null)
        {
            await _oauth.DisposeAsync();
        }
        Directory.Delete(_home, recursive: true);
    }
}
