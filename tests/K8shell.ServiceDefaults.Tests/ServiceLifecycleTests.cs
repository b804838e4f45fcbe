using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using K8shell.Testing;

namespace K8shell.ServiceDefaults.Tests;

/// <summary>Every service, run as the real built process: starts, answers its probes, stops cleanly on SIGTERM.</summary>
public sealed class ServiceLifecycleTests(NatsServerFixture nats) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-lifecycle-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, bool> Services => new()
    {
        { "K8shell.Identity", "K8shell.Identity", true },
        { "K8shell.Provisioner", "K8shell.Provisioner", true },
        { "K8shell.Sessions", "K8shell.Sessions", true },
        { "K8shell.WorkspaceDaemon", "k8shelld", true },
        { "K8shell.SshProxy", "K8shell.SshProxy", false },
        { "K8shell.Shield", "K8shell.Shield", false },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Starts_serves_health_and_exits_cleanly_on_sigterm(string project, string assembly, bool servesGrpc)
    {
        await using var service = await ServiceProcess.StartAsync(project, assembly, servesGrpc, Settings(project), Cancellation);

        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };
        var health = await http.GetAsync("/health", Cancellation);
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"/health answered {health.StatusCode}. Output:\n{service.Process.Output}");

        if (service.GrpcEndpoint is not null)
        {
            using var channel = GrpcChannel.ForAddress(service.GrpcEndpoint);
            var grpcHealth = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Cancellation);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpcHealth.Status);
        }

        var exitCode = await service.Process.StopAsync(TimeSpan.FromSeconds(15));
        Assert.True(exitCode == 0, $"exit code {exitCode}. Output:\n{service.Process.Output}");
        Assert.Contains("Application is shutting down", service.Process.Output);
    }

    [Fact]
    public async Task Shield_without_nats_refuses_to_start_and_names_the_setting()
    {
        await using var shield = ServiceProcess.Launch("K8shell.Shield", "K8shell.Shield", servesGrpc: false,
            new Dictionary<string, string?> { ["ConnectionStrings__nats"] = null }, out _, out _);

        var exitCode = await shield.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("ConnectionStrings:nats", shield.Output);
    }

    /// <summary>NATS for all; Identity, the Provisioner and Sessions keep state in a fresh directory; the Provisioner needs Identity's address; k8shelld also needs its workspace and where its callers' keys come from (fetched on the first call only).</summary>
    private Dictionary<string, string?> Settings(string project) => project switch
    {
        "K8shell.WorkspaceDaemon" => new()
        {
            ["ConnectionStrings__nats"] = nats.Url, ["Workspace__Name"] = "ws-lifecycle", ["Workspace__Owner"] = "alice",
            ["Workspace__User"] = Environment.UserName, ["Auth__JwksUrl"] = "http://127.0.0.1:9/.well-known/jwks.json",
        },
        // Its signing keys go to a fresh directory, not the build output.
        "K8shell.Identity" => new() { ["ConnectionStrings__nats"] = nats.Url, ["Identity__DataDirectory"] = _data },
        // Where Identity is and how to call it (nothing is called at start), and workspaces in a fresh directory.
        "K8shell.Provisioner" => new()
        {
            ["ConnectionStrings__nats"] = nats.Url, ["services__identity__grpc__0"] = "http://127.0.0.1:9", ["services__identity__http__0"] = "http://127.0.0.1:9",
            ["Services__identity__Token"] = "lifecycle", ["Provisioner__Process__DataDirectory"] = _data,
        },
        // Its database and recordings go to a fresh directory.
        "K8shell.Sessions" => new() { ["ConnectionStrings__nats"] = nats.Url, ["Sessions__DataDirectory"] = _data },
        // Where the services it calls are and its tokens for them (nothing is called before a client connects), its SSH
        // port and its host keys in a fresh directory.
        "K8shell.SshProxy" => new()
        {
            ["ConnectionStrings__nats"] = nats.Url, ["SshProxy__DataDirectory"] = _data, ["SshProxy__Port"] = FreePort.Next().ToString(),
            ["services__identity__grpc__0"] = "http://127.0.0.1:9", ["Services__identity__Token"] = "lifecycle",
            ["services__provisioner__grpc__0"] = "http://127.0.0.1:9", ["Services__provisioner__Token"] = "lifecycle",
            ["services__sessions__grpc__0"] = "http://127.0.0.1:9", ["Services__sessions__Token"] = "lifecycle",
        },
        _ => new() { ["ConnectionStrings__nats"] = nats.Url },
    };

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
