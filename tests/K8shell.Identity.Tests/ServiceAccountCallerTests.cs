using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.Identity.Tests;

/// <summary>
/// Kubernetes service-account tokens as callers. The real API server is not reachable here, so the tests
/// serve its issuer's discovery documents themselves (<see cref="ServiceAccountIssuer"/>) and start an
/// Identity of their own that trusts it and allows ssh-proxy in k8shell.
/// </summary>
public sealed class ServiceAccountCallerTests(IdentityFixture identity, ServiceAccountCallerTests.Services services)
    : IClassFixture<ServiceAccountCallerTests.Services>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task An_allowed_service_account_gets_answers(string algorithm)
    {
        var token = services.Issuer.Mint(key: algorithm == "RS256" ? services.Issuer.RsaKey : services.Issuer.EcKey);

        var user = await FindAliceAsync(token);

        Assert.Equal(1001u, user.Uid);
    }

    [Theory]
    [InlineData("wrong audience", "for audience [k8shelld], not 'identity'")]
    [InlineData("expired", "expired at")]
    [InlineData("another service account", "service account k8shell/api-server is not an allowed caller")]
    [InlineData("another namespace", "service account default/ssh-proxy is not an allowed caller")]
    [InlineData("a key the issuer does not publish", "a key the issuer does not publish")]
    [InlineData("another issuer", "a token from issuer 'https://other-cluster.example'")]
    [InlineData("a kubernetes.io claim for another account", "kubernetes.io claim (k8shell/api-server) disagrees with its subject")]
    public async Task Other_tokens_are_unauthenticated_with_the_reason_logged_but_never_the_token(string which, string reason)
    {
        var token = which switch
        {
            "wrong audience" => services.Issuer.Mint(audience: "k8shelld"),
            "expired" => services.Issuer.Mint(issuedAt: DateTime.UtcNow.AddHours(-2)),
            "another service account" => services.Issuer.Mint(serviceAccount: "api-server"),
            "another namespace" => services.Issuer.Mint(@namespace: "default"),
            "a key the issuer does not publish" => services.Issuer.Mint(key: new RsaSecurityKey(RSA.Create(2048)) { KeyId = "not-published" }),
            "another issuer" => services.Issuer.Mint(issuer: "https://other-cluster.example"),
            "a kubernetes.io claim for another account" => services.Issuer.Mint(claimedServiceAccount: "api-server"),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };

        var failure = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(token));

        Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
        Assert.Contains(reason, failure.Status.Detail);
        await services.Identity.Process.WaitForLineAsync(line => line.Contains("Refused a call") && line.Contains(reason), TimeSpan.FromSeconds(10), Cancellation);
        Assert.DoesNotContain(token, services.Identity.Process.Output);
        Assert.DoesNotContain(token.Split('.')[2], services.Identity.Process.Output);
    }

    [Fact]
    public async Task Static_tokens_still_work_beside_service_accounts()
    {
        using var channel = identity.ChannelTo(services.Identity);

        var user = await new IdentityService.IdentityServiceClient(channel).FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation);

        Assert.Equal(1001u, user.Uid);
    }

    [Theory]
    [InlineData(false, "is unreachable or answered badly: Connection refused")]
    [InlineData(true, "did not answer within 10 s")]
    public async Task An_unreachable_issuer_gives_unavailable_with_a_reason_not_a_hang(bool silent, string reason)
    {
        // Nothing listens (connections refused, the issuer is down), or a listener that never answers (a black hole).
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var issuer = $"http://127.0.0.1:{(silent ? ((IPEndPoint)blackHole.LocalEndpoint).Port : FreePort.Next())}";
        var data = Path.Combine(Path.GetDirectoryName(identity.UsersFile)!, $"sa-unreachable-{Guid.NewGuid():N}");
        await using var service = await identity.StartIdentityAsync(identity.UsersFile, data, Services.Settings(issuer));
        var token = services.Issuer.Mint(issuer: issuer);

        var clock = Stopwatch.StartNew();
        var first = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(token, service));
        var firstTook = clock.Elapsed;
        clock.Restart();
        var second = await Assert.ThrowsAsync<RpcException>(() => FindAliceAsync(token, service));

        Assert.Equal((StatusCode.Unavailable, StatusCode.Unavailable), (first.StatusCode, second.StatusCode));
        Assert.Contains($"cannot check service-account tokens now: the issuer {issuer} {reason}", first.Status.Detail);
        // The fetch gives up after 10 s at most; until a retry is due, the next calls are answered at once.
        Assert.InRange(firstTook, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task An_issuer_without_allowed_service_accounts_stops_the_service_naming_the_key()
    {
        var output = await identity.RefusedStartAsync(new() { ["Identity__Callers__Kubernetes__Issuer"] = "https://kubernetes.default.svc.cluster.local" });

        Assert.Contains("Identity:Callers:Kubernetes:Allowed: list at least one", output);
    }

    private async Task<User> FindAliceAsync(string token, ServiceProcess? service = null)
    {
        using var channel = identity.ChannelTo(service ?? services.Identity, token);
        var client = new IdentityService.IdentityServiceClient(channel);
        return await client.FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation);
    }

    /// <summary>The issuer and an Identity (the fixture's users, data of its own) that trusts it.</summary>
    public sealed class Services(IdentityFixture identity) : IAsyncLifetime
    {
        private ServiceAccountIssuer? _issuer;
        private ServiceProcess? _identity;

        public ServiceAccountIssuer Issuer => _issuer ?? throw new InvalidOperationException("not started");

        public ServiceProcess Identity => _identity ?? throw new InvalidOperationException("not started");

        /// <summary>Plain HTTP is allowed only because the issuer is on loopback in the test.</summary>
        public static Dictionary<string, string?> Settings(string issuer) => new()
        {
            ["Identity__Callers__Kubernetes__Issuer"] = issuer,
            ["Identity__Callers__Kubernetes__RequireHttps"] = "false",
            ["Identity__Callers__Kubernetes__Allowed__0__ServiceAccount"] = "ssh-proxy",
            ["Identity__Callers__Kubernetes__Allowed__0__Namespace"] = "k8shell",
            ["Identity__Callers__Kubernetes__Allowed__1__ServiceAccount"] = "provisioner",
            ["Identity__Callers__Kubernetes__Allowed__1__Namespace"] = "k8shell",
        };

        public async ValueTask InitializeAsync()
        {
            _issuer = await ServiceAccountIssuer.StartAsync(TestContext.Current.CancellationToken);
            var data = Path.Combine(Path.GetDirectoryName(identity.UsersFile)!, $"sa-callers-{Guid.NewGuid():N}");
            _identity = await identity.StartIdentityAsync(identity.UsersFile, data, Settings(_issuer.Url));
        }

        public async ValueTask DisposeAsync()
        {
            if (_identity is not null)
            {
                await _identity.DisposeAsync();
            }
            if (_issuer is not null)
            {
                await _issuer.DisposeAsync();
            }
        }
    }
}
