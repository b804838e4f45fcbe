using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

namespace K8shell.Identity.Tests;

public sealed class DeviceFlowOnboardingOnSqlite(IdentityFixture identity) : DeviceFlowOnboardingTests(identity, new SqliteStore());

public sealed class DeviceFlowOnboardingOnPostgres(IdentityFixture identity, PostgresFixture postgres) : DeviceFlowOnboardingTests(identity, new PostgresStore(postgres));

/// <summary>
/// Onboarding through the RFC 8628 device grant with the GitHub and GitLab presets, against
/// <see cref="LocalOAuthServer"/> (the real providers are unreachable here), then logging in with the
/// keys the provider publishes, and the cached user refreshed from the provider after its max age.
/// </summary>
public abstract class DeviceFlowOnboardingTests(IdentityFixture identity, StoreKind store) : IAsyncLifetime
{
    private static readonly LocalOAuthServer.Account Mallory = new(4242, "Mallory", "Mallory Hacker", null, ["mallory@example.test", "m@example.test"], []);

    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-onboarding-").FullName;
    private LocalOAuthServer _provider = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _provider = await LocalOAuthServer.StartAsync();
        _provider.AddAccount(Mallory with { Keys = [identity.Keys["stranger"]] });
        _provider.AddAccount(new LocalOAuthServer.Account(7, "trent", "Trent", "trent@example.test", [], []));
    }

    [Fact]
    public async Task A_github_user_onboards_with_the_device_flow_and_logs_in_with_their_github_keys()
    {
        await using var service = await StartAsync();
        var client = service.Client;

        var capability = await client.GetUserOnboardCapabilityAsync(new GetUserOnboardCapabilityRequest { Username = "mallory" }, cancellationToken: Cancellation);
        Assert.Equal(("idp.k8shell.io/github", true), (capability.Provider, capability.CanOnboard));
        var challenge = await client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Username = "mallory" }, cancellationToken: Cancellation);
        Assert.Equal(($"{_provider.Address}/login/device", 900u, 1u), (challenge.VerificationUri, challenge.ExpiresInSeconds, challenge.IntervalSeconds));
        Assert.Matches("^[0-9A-F]{4}-[0-9A-F]{4}$", challenge.UserCode);

        var pending = await CompleteAsync(client, "mallory");
        Assert.Equal(DeviceFlowResult.Types.Status.Pending, pending.Status);
        Assert.Contains(challenge.UserCode, pending.Message);

        _provider.Approve(challenge.UserCode, "Mallory");
        var polled = DateTimeOffset.UtcNow;
        var completed = await CompleteAsync(client, "mallory");
        Assert.Equal(DeviceFlowResult.Types.Status.Completed, completed.Status);
        // RFC 8628 §3.5: Identity waited out the interval since its last poll rather than polling early.
        Assert.True(DateTimeOffset.UtcNow - polled >= TimeSpan.FromSeconds(0.5), "polled again before the interval");
        var user = completed.User;
        Assert.Equal(("mallory", 104242u, 104242u, "Mallory Hacker", "mallory@example.test"), (user.Username, user.Uid, user.Gid, user.Fullname, user.Email));
        Assert.Equal(("idp.k8shell.io/github", "github", "/bin/bash", true), (user.Source, user.Organization, user.Shell, user.Sudo));
        Assert.Equal(["workspace-user"], user.Roles);
        Assert.Equal(["*"], user.Blueprints);
        Assert.Equal(["publickey"], user.AuthMethods);
        Assert.Equal(1u, user.PublicKeyCount);

        var login = await client.AuthUserPublicKeyAsync(new AuthUserPublicKeyRequest { Username = "mallory", AuthorizedKey = identity.Keys["stranger"] },
            cancellationToken: Cancellation);
        Assert.True(login.Valid, login.FailureReason);
        Assert.Equal("mallory", (await client.FindUserAsync(new FindUserRequest { Email = "MALLORY@example.test" }, cancellationToken: Cancellation)).Username);
        Assert.NotEmpty((await client.IssueUserTokenAsync(new IssueUserTokenRequest { Username = "mallory" }, cancellationToken: Cancellation)).UserToken);

        var again = await Assert.ThrowsAsync<RpcException>(() => client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Username = "mallory" },
            cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal((StatusCode.AlreadyExists, "mallory is a user already (from idp.k8shell.io/github)"), (again.StatusCode, again.Status.Detail));
        // Device codes and access tokens are used, never logged.
        Assert.All(_provider.IssuedSecrets, secret => Assert.DoesNotContain(secret, service.Process.Process.Output));
    }

    [Fact]
    public async Task A_gitlab_user_onboards_with_the_gitlab_preset_and_rfc_6749_errors()
    {
        await using var service = await StartAsync(new()
        {
            ["Identity__OAuth__Providers__gitlab__Preset"] = "gitlab",
            ["Identity__OAuth__Providers__gitlab__Address"] = _provider.Address,
            ["Identity__OAuth__Providers__gitlab__ClientId"] = LocalOAuthServer.ClientId,
        }, github: false);

        var challenge = await service.Client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Provider = "gitlab", Username = "mallory" },
            cancellationToken: Cancellation);
        Assert.Equal(DeviceFlowResult.Types.Status.Pending, (await CompleteAsync(service.Client, "mallory", "gitlab")).Status);
        _provider.Approve(challenge.UserCode, "Mallory");
        var completed = await CompleteAsync(service.Client, "mallory", "gitlab");

        Assert.Equal(DeviceFlowResult.Types.Status.Completed, completed.Status);
        Assert.Equal(("idp.k8shell.io/gitlab", "gitlab", "mallory@example.test", 1u),
            (completed.User.Source, completed.User.Organization, completed.User.Email, completed.User.PublicKeyCount));
        Assert.Contains("POST /oauth/token", _provider.Requests);
        Assert.Contains("GET /api/v4/users/4242/keys", _provider.Requests);
    }

    [Fact]
    public async Task Refused_expired_and_mismatched_flows_end_with_their_status_and_a_reason()
    {
        await using var service = await StartAsync();
        var client = service.Client;

        var denied = await client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Username = "mallory" }, cancellationToken: Cancellation);
        _provider.Deny(denied.UserCode);
        Assert.Equal(DeviceFlowResult.Types.Status.Denied, (await CompleteAsync(client, "mallory")).Status);

        // Signing in as someone else does not make you "mallory".
        var mismatch = await client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Username = "mallory" }, cancellationToken: Cancellation);
        _provider.Approve(mismatch.UserCode, "trent");
        var other = await CompleteAsync(client, "mallory");
        Assert.Equal((DeviceFlowResult.Types.Status.Denied, "you signed in to idp.k8shell.io/github as trent, not mallory: connect as trent"),
            (other.Status, other.Message));
        Assert.Equal(StatusCode.NotFound, (await FindAsync(client, "mallory")).StatusCode);

        _provider.ExpiresInSeconds = 1;
        await client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Username = "mallory" }, cancellationToken: Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(1.2), Cancellation);
        Assert.Equal(DeviceFlowResult.Types.Status.Expired, (await CompleteAsync(client, "mallory")).Status);

        var noFlow = await Assert.ThrowsAsync<RpcException>(() => CompleteAsync(client, "mallory"));
        Assert.Equal((StatusCode.FailedPrecondition, "no device flow is in progress for mallory at idp.k8shell.io/github: start one first"),
            (noFlow.StatusCode, noFlow.Status.Detail));
        Assert.Equal(StatusCode.AlreadyExists, (await StartFlowAsync(client, "alice")).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await StartFlowAsync(client, "mallory", "bitbucket")).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await StartFlowAsync(client, "Mallory")).StatusCode);
    }

    [Fact]
    public async Task Only_allowed_logins_onboard_and_a_provider_that_does_not_answer_is_unavailable()
    {
        await using var service = await StartAsync(new()
        {
            ["Identity__OAuth__Providers__github__AllowedUsers__0"] = "trent",
            ["Identity__OAuth__Providers__github__Timeout"] = "00:00:01",
        });

        var capability = await Assert.ThrowsAsync<RpcException>(() =>
            service.Client.GetUserOnboardCapabilityAsync(new GetUserOnboardCapabilityRequest { Username = "mallory" }, cancellationToken: Cancellation).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "no provider here onboards mallory"), (capability.StatusCode, capability.Status.Detail));
        Assert.Equal(StatusCode.PermissionDenied, (await StartFlowAsync(service.Client, "mallory", "github")).StatusCode);

        _provider.Delay = TimeSpan.FromSeconds(5);
        var slow = await StartFlowAsync(service.Client, "trent");
        Assert.Equal((StatusCode.Unavailable, $"idp.k8shell.io/github: {_provider.Address}/login/device/code did not answer within 1 s"),
            (slow.StatusCode, slow.Status.Detail));
    }

    [Fact]
    public async Task Cached_users_are_refreshed_from_the_provider_after_their_max_age_and_invalid_once_gone()
    {
        var maxAge = TimeSpan.FromSeconds(3);
        var data = Path.Combine(_directory, "data");
        var shared = await store.NewStoreAsync(data);
        var settings = new Dictionary<string, string?> { ["Identity__OAuth__Providers__github__UserMaxAge"] = maxAge.ToString() };
        DateTimeOffset onboarded;
        await using (var first = await StartAsync(settings, data: data, shared: shared))
        {
            var challenge = await first.Client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Username = "mallory" }, cancellationToken: Cancellation);
            _provider.Approve(challenge.UserCode, "Mallory");
            Assert.Equal(DeviceFlowResult.Types.Status.Completed, (await CompleteAsync(first.Client, "mallory")).Status);
            onboarded = DateTimeOffset.UtcNow;

            // While fresh, the cached copy is served: the key added upstream is not seen, the provider not asked.
            _provider.AddAccount(Mallory with { Keys = [identity.Keys["stranger"], identity.Keys["alice2"]] });
            Assert.Equal(1u, (await FindUserAsync(first, "mallory")).PublicKeyCount);
            Assert.DoesNotContain("GET /api/user/4242", _provider.Requests);
        }

        // After a restart (the store is on disk or in PostgreSQL) and past the max age, the provider is asked again.
        await using var service = await StartAsync(settings, data: data, shared: shared);
        await Task.Delay(onboarded + maxAge - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(100) is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, Cancellation);
        Assert.Equal(2u, (await FindUserAsync(service, "mallory")).PublicKeyCount);
        Assert.Contains("GET /api/user/4242", _provider.Requests);

        _provider.RemoveAccount(4242);
        await Task.Delay(maxAge + TimeSpan.FromMilliseconds(100), Cancellation);
        Assert.False((await FindUserAsync(service, "mallory")).IsValid);
        var refused = await service.Client.AuthUserPublicKeyAsync(new AuthUserPublicKeyRequest { Username = "mallory", AuthorizedKey = identity.Keys["stranger"] },
            cancellationToken: Cancellation);
        Assert.Equal((false, "the account is disabled"), (refused.Valid, refused.FailureReason));
    }

    private async Task<TestIdentity> StartAsync(Dictionary<string, string?>? settings = null, bool github = true, string? data = null,
        Dictionary<string, string?>? shared = null)
    {
        data ??= Path.Combine(_directory, "data");
        var provider = !github ? [] : new Dictionary<string, string?>
        {
            // The GitHub preset with its two addresses (github.com, api.github.com) pointed at the local server.
            ["Identity__OAuth__Providers__github__Preset"] = "github",
            ["Identity__OAuth__Providers__github__Address"] = _provider.Address,
            ["Identity__OAuth__Providers__github__ApiAddress"] = $"{_provider.Address}/api",
            ["Identity__OAuth__Providers__github__ClientId"] = LocalOAuthServer.ClientId,
        };
        return await TestIdentity.StartAsync(identity, identity.UsersFile, data, provider, settings ?? [], shared ?? await store.NewStoreAsync(data));
    }

    private static async Task<DeviceFlowResult> CompleteAsync(IdentityService.IdentityServiceClient client, string username, string provider = "") =>
        await client.CompleteUserDeviceFlowAsync(new CompleteUserDeviceFlowRequest { Provider = provider, Username = username }, cancellationToken: Cancellation);

    private static Task<RpcException> StartFlowAsync(IdentityService.IdentityServiceClient client, string username, string provider = "") =>
        Assert.ThrowsAsync<RpcException>(() =>
            client.OnboardUserDeviceFlowAsync(new OnboardUserDeviceFlowRequest { Provider = provider, Username = username }, cancellationToken: Cancellation).ResponseAsync);

    private static Task<RpcException> FindAsync(IdentityService.IdentityServiceClient client, string username) =>
        Assert.ThrowsAsync<RpcException>(() => client.FindUserAsync(new FindUserRequest { Username = username }, cancellationToken: Cancellation).ResponseAsync);

    private static async Task<User> FindUserAsync(TestIdentity service, string username) =>
        await service.Client.FindUserAsync(new FindUserRequest { Username = username }, cancellationToken: Cancellation);

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
