using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Grpc.Core;
using Grpc.Health.V1;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.Tests;

/// <summary>
/// A client registered with AddServiceGrpcClient, as the proxy, Provisioner and Sessions register theirs, calling
/// the real Identity process: found through the AppHost's <c>services__identity__grpc__0</c>, and let in by the
/// credential it carries, which Identity checks as it checks every caller.
/// </summary>
public sealed class ServiceClientTests(ServiceClientTests.Identity identity) : IClassFixture<ServiceClientTests.Identity>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-service-client-").FullName;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_static_token_gets_answers_and_is_never_logged()
    {
        var logged = new LoggedLines();
        await using var caller = await CallerAsync(new() { ["Services:identity:Token"] = identity.ProxyToken }, logged);

        var alice = await Client(caller).FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation);

        Assert.Equal(1001u, alice.Uid);
        // At Trace the HTTP client logs request headers, so this is where the credential would leak: redacted.
        Assert.Contains("Authorization: *", logged.Text);
        Assert.DoesNotContain(identity.ProxyToken, logged.Text);
    }

    [Fact]
    public async Task A_token_file_is_read_again_for_every_call()
    {
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, identity.ProxyToken, Cancellation);
        await using var caller = await CallerAsync(new() { ["Services__identity__TokenFile"] = tokenFile });
        var client = Client(caller);

        Assert.Equal(1001u, (await FindAliceAsync(client)).Uid);

        // The kubelet writes the next token: an expired one first, then one for another allowed caller.
        await File.WriteAllTextAsync(tokenFile, "stale-token", Cancellation);
        var refused = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(client));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        await File.WriteAllTextAsync(tokenFile, identity.ProvisionerToken, Cancellation);
        Assert.Equal(1001u, (await FindAliceAsync(client)).Uid);

        File.Delete(tokenFile);
        var missing = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(client));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Equal($"no credential for identity: Services:identity:TokenFile '{tokenFile}' does not exist", missing.Status.Detail);
    }

    [Theory]
    [InlineData("no address", "services:identity:grpc:0: no address for identity's grpc endpoint; set it (environment services__identity__grpc__0)")]
    [InlineData("no credential", "Services:identity:Token or Services:identity:TokenFile: set one")]
    [InlineData("both credentials", "Services:identity:Token and Services:identity:TokenFile are both set; set one")]
    [InlineData("a missing token file", "Services:identity:TokenFile: '/nonexistent/token' does not exist")]
    [InlineData("no deadline", "Services:identity:Deadline: '00:00:00' must be positive")]
    public async Task Missing_settings_stop_the_service_at_start_naming_the_key(string which, string message)
    {
        Dictionary<string, string?> settings = which switch
        {
            "no address" => new() { ["services:identity:grpc:0"] = null, ["Services:identity:Token"] = "t" },
            "no credential" => new(),
            "both credentials" => new() { ["Services:identity:Token"] = "t", ["Services:identity:TokenFile"] = "/nonexistent/token" },
            "a missing token file" => new() { ["Services:identity:TokenFile"] = "/nonexistent/token" },
            "no deadline" => new() { ["Services:identity:Token"] = "t", ["Services:identity:Deadline"] = "0" },
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => CallerAsync(settings));

        Assert.Contains(message, refused.Message);
    }

    [Fact]
    public async Task Clients_of_two_grpc_services_on_one_server_share_its_settings_which_are_checked_once()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => CallerAsync([], alsoHealth: true));
        Assert.Single(refused.Failures);

        await using var caller = await CallerAsync(new() { ["Services:identity:Token"] = identity.ProxyToken }, alsoHealth: true);
        var health = await caller.Services.GetRequiredService<Health.HealthClient>().CheckAsync(new HealthCheckRequest(), cancellationToken: Cancellation);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(1001u, (await FindAliceAsync(Client(caller))).Uid);
    }

    [Theory]
    [InlineData("00:00:01", null)]
    [InlineData("00:01:00", 300)]
    public async Task A_dependency_that_accepts_but_never_answers_costs_the_deadline_and_no_more(string deadline, int? callersOwnMilliseconds)
    {
        // The kernel completes the TCP handshake for the backlog; nobody ever reads or answers.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        await using var caller = await CallerAsync(new()
        {
            ["services:identity:grpc:0"] = $"http://127.0.0.1:{((IPEndPoint)blackHole.LocalEndpoint).Port}",
            ["Services:identity:Token"] = identity.ProxyToken,
            ["Services:identity:Deadline"] = deadline,
        });
        // A deadline the caller gives wins over the default.
        var expected = callersOwnMilliseconds is { } own ? TimeSpan.FromMilliseconds(own) : TimeSpan.Parse(deadline, CultureInfo.InvariantCulture);
        DateTime? callersOwn = callersOwnMilliseconds is null ? null : DateTime.UtcNow + expected;

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<RpcException>(() => Client(caller).FindUserAsync(
            new FindUserRequest { Username = "alice" }, deadline: callersOwn, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        Assert.InRange(clock.Elapsed, expected * 0.9, expected + TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_dependency_that_is_down_is_unavailable_at_once()
    {
        await using var caller = await CallerAsync(new()
        {
            ["services:identity:grpc:0"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Services:identity:Token"] = identity.ProxyToken,
        });

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(Client(caller)));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    /// <summary>A service calling Identity: its address as the AppHost would set it, and <paramref name="settings"/> over that.</summary>
    private async Task<TestService> CallerAsync(Dictionary<string, string?> settings, LoggedLines? logged = null, bool alsoHealth = false)
    {
        var configuration = new Dictionary<string, string?> { ["services:identity:grpc:0"] = identity.Service.GrpcEndpoint!.ToString() };
        foreach (var (key, value) in settings)
        {
            configuration[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        return await TestService.StartAsync(builder =>
        {
            if (logged is not null)
            {
                builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logged);
            }
            builder.Services.AddServiceGrpcClient<IdentityService.IdentityServiceClient>("identity");
            if (alsoHealth)
            {
                builder.Services.AddServiceGrpcClient<Health.HealthClient>("identity");
            }
        }, configuration);
    }

    private static IdentityService.IdentityServiceClient Client(TestService caller) =>
        caller.Services.GetRequiredService<IdentityService.IdentityServiceClient>();

    private static async Task<User> FindAliceAsync(IdentityService.IdentityServiceClient client) =>
        await client.FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The real Identity, built beside the tests, with alice in its user file and two static callers.</summary>
    public sealed class Identity : IAsyncLifetime
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-identity-callers-").FullName;
        private ServiceProcess? _service;

        public string ProxyToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

        public string ProvisionerToken { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

        public ServiceProcess Service => _service ?? throw new InvalidOperationException("not started");

        public async ValueTask InitializeAsync()
        {
            var users = Path.Combine(_directory, "users.yaml");
            await File.WriteAllTextAsync(users, "users:\n  - username: alice\n    uid: 1001\n    gid: 1001\n");
            _service = await IdentityProcess.StartAsync(users, Path.Combine(_directory, "data"),
                new Dictionary<string, string> { ["ssh-proxy"] = ProxyToken, ["provisioner"] = ProvisionerToken }, cancellationToken: TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (_service is not null)
            {
                await _service.DisposeAsync();
            }
            Directory.Delete(_directory, recursive: true);
        }
    }
}
