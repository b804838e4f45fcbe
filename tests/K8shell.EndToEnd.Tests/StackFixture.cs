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
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("k8shell-e2e-home-").FullName;
    private DistributedApplicationTestingBuilder? _builder;
    private DistributedApplication? _app;
    private OtlpReceiver? _telemetry;

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
        _builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.K8shell_AppHost>(configure: options =>
        {
            options.EnvironmentOverrides["HOME"] = _home;
            options.EnvironmentOverrides["K8SHELL_WORKSPACE_BACKEND"] = "process";
            options.EnvironmentOverrides["K8SHELL_CONTAINER_ENGINE"] = "none";
        }, cancellationToken: cancellation);
        var proxy = _builder.Resources.OfType<IResourceWithEnvironment>().Single(resource => resource.Name == "ssh-proxy");
        proxy.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables["SshProxy__Policy__File"] = PolicyFile));
        foreach (var service in _builder.Resources.OfType<ProjectResource>())
        {
            // The OTLP exporter's own variables, as a collector's address reaches services in a deployment.
            service.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.GetLeftPart(UriPartial.Authority);
                context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
            }));
        }
        var provisioner = _builder.Resources.OfType<IResourceWithEnvironment>().Single(resource => resource.Name == "provisioner");
        provisioner.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables["Provisioner__Blueprints__Directory"] = BlueprintDirectory));
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
        Directory.Delete(_home, recursive: true);
    }
}
