using K8shell.AppHost.Model;
using K8shell.Testing;
using K8shell.Testing.AppHost;
using K8shell.Testing.Otlp;

[assembly: AssemblyFixture(typeof(K8shell.EndToEnd.Tests.StackFixture))]

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The stack most tests share, once for the test assembly (<see cref="AppHostStack"/>). The gateway publishes
/// failures for loopback clients too (the dev stack's setting). Every service exports its traces, metrics and logs
/// to <see cref="Telemetry"/>, as it would to a collector. Identity also reads <see cref="TestUsers"/> (users with
/// passwords) and onboards <see cref="Onboarding"/>'s accounts through a GitHub provider pointed at
/// <see cref="OAuth"/>: the real GitHub is unreachable from our machines. Nobody stops its services: the fault
/// tests have a stack of their own (<see cref="FaultStack"/>).
/// </summary>
public sealed class StackFixture : AppHostStack
{
    private OtlpReceiver? _telemetry;
    private LocalOAuthServer? _oauth;

    /// <summary>What the services exported over OTLP during the run.</summary>
    public OtlpReceiver Telemetry => _telemetry ?? throw new InvalidOperationException("the stack has not started");

    /// <summary>The key <see cref="Onboarding.NewUser"/> has at <see cref="OAuth"/>.</summary>
    public string NewUserKeyFile => Onboarding.KeyFile(Home);

    /// <summary>The GitHub stand-in Identity onboards new users from.</summary>
    public LocalOAuthServer OAuth => _oauth ?? throw new InvalidOperationException("the stack has not started");

    private string UsersFile => Path.Combine(Home, "users.yaml");

    protected override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        _telemetry = await OtlpReceiver.StartAsync();
        await File.WriteAllTextAsync(UsersFile, await TestUsers.FileAsync(cancellationToken), cancellationToken);
        _oauth = await LocalOAuthServer.StartAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(Onboarding.KeyFile(Home))!);
        Onboarding.AddAccounts(_oauth, await SshKeys.GenerateAsync(Onboarding.KeyFile(Home), cancellationToken: cancellationToken));
    }

    protected override void Configure(DistributedApplicationTestingBuilder builder)
    {
        AddEnvironment("identity", context =>
        {
            // After the AppHost's dev user file (index 0).
            context.EnvironmentVariables["Identity__UserFiles__1"] = UsersFile;
            foreach (var (name, value) in Onboarding.ProviderSettings(OAuth.Address))
            {
                context.EnvironmentVariables[name] = value;
            }
        });
        // AdmissionTests' greedy address abandons ten connections before their handshakes: ten failed logins, which
        // Shield rightly bans for. What that test checks is the proxy's per-address slots, so Shield leaves it alone
        // (after the AppHost's own whitelist, indexes 0 and 1).
        AddEnvironment("shield", context => context.EnvironmentVariables["Shield__Whitelist__2"] = $"{AdmissionTests.Greedy}/32");
        foreach (var service in builder.Resources.OfType<ProjectResource>())
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
    }

    protected override async ValueTask DisposeOwnAsync()
    {
        if (_telemetry is not null)
        {
            await _telemetry.DisposeAsync();
        }
        if (_oauth is not null)
        {
            await _oauth.DisposeAsync();
        }
    }
}
