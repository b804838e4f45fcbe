using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using HandshakeRequest = K8shell.Contracts.Workspace.V1.HandshakeRequest;
using SystemService = K8shell.Contracts.Workspace.V1.SystemService;

namespace K8shell.Identity.Tests;

/// <summary>
/// User tokens: checked by an independent validator (Microsoft.IdentityModel) against the keys the
/// service publishes at /.well-known/jwks.json, and accepted by the real k8shelld configured with that URL.
/// </summary>
public sealed class UserTokenTests(IdentityFixture identity)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_carries_the_users_claims_and_verifies_against_the_published_keys()
    {
        var issued = await IssueAsync(identity.Client, "alice", ["k8shelld"]);

        var result = await ValidateAsync(identity.Identity, issued.UserToken, "k8shelld");

        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("ES256", token.Alg);
        Assert.Equal(("alice", "1001", "wonderland", "ssh-proxy", "alice@example.test", "Alice Liddell", "/bin/zsh", "true"),
            (token.Subject, Claim(token, "uid"), Claim(token, "org"), Claim(token, "source"), Claim(token, "email"), Claim(token, "name"), Claim(token, "shell"), Claim(token, "sudo")));
        Assert.Equal("developer", Claim(token, "roles"));
        Assert.Equal(TimeSpan.FromHours(1), token.ValidTo - token.IssuedAt);
        Assert.Equal(issued.ExpiresAt.ToDateTime(), token.ValidTo);
        Assert.NotEmpty(token.Id);
    }

    [Fact]
    public async Task The_default_audience_is_k8shell_and_long_lifetimes_are_capped()
    {
        var issued = await IssueAsync(identity.Client, "alice", [], lifetime: TimeSpan.FromDays(7));

        var token = new JsonWebToken(issued.UserToken);

        Assert.Equal(["k8shell"], token.Audiences);
        Assert.Equal(TimeSpan.FromHours(12), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task Unknown_locked_and_disabled_users_get_no_token()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => IssueAsync(identity.Client, "mallory", []));
        var locked = await Assert.ThrowsAsync<RpcException>(() => IssueAsync(identity.Client, "bob", []));
        var disabled = await Assert.ThrowsAsync<RpcException>(() => IssueAsync(identity.Client, "carol", []));

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal((StatusCode.FailedPrecondition, "bob: the account is locked"), (locked.StatusCode, locked.Status.Detail));
        Assert.Equal(StatusCode.FailedPrecondition, disabled.StatusCode);
    }

    [Fact]
    public async Task The_signing_key_is_generated_once_private_to_the_service_and_kept_across_restarts()
    {
        var keyFile = Assert.Single(Directory.GetFiles(Path.Combine(identity.DataDirectory, "signing-keys")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var before = await KeyIdsAsync(identity.Identity);

        await using var restarted = await StartIdentityAsync(identity.DataDirectory);

        Assert.Equal(before, await KeyIdsAsync(restarted));
        Assert.Single(before);
    }

    [Fact]
    public async Task A_new_key_is_published_before_it_signs_and_a_retired_one_until_its_tokens_expire()
    {
        var data = Path.Combine(identity.DataDirectory, "..", $"rotating-{Guid.NewGuid():N}");
        await using var rotating = await StartIdentityAsync(data, new()
        {
            ["Identity__Tokens__RotateAfter"] = "00:00:04",
            ["Identity__Tokens__PublishAhead"] = "00:00:01.500",
        });
        using var channel = identity.ChannelTo(rotating);
        var client = new IdentityService.IdentityServiceClient(channel);
        var first = await IssueAsync(client, "alice", ["k8shelld"]);
        Assert.Equal([new JsonWebToken(first.UserToken).Kid], await KeyIdsAsync(rotating));

        // Past RotateAfter − PublishAhead (2.5 s): the successor is published, the first key still signs.
        await Task.Delay(TimeSpan.FromSeconds(2.5), Cancellation);
        var published = await KeyIdsAsync(rotating);
        Assert.Equal(2, published.Count);
        var successor = published.Single(kid => kid != new JsonWebToken(first.UserToken).Kid);
        var stillFirst = await IssueAsync(client, "alice", ["k8shelld"]);
        Assert.Equal(new JsonWebToken(first.UserToken).Kid, new JsonWebToken(stillFirst.UserToken).Kid);

        // PublishAhead later the successor signs (and is not due for a successor of its own yet); the first
        // key stays published for the first token.
        await Task.Delay(TimeSpan.FromSeconds(1.7), Cancellation);
        var second = await IssueAsync(client, "alice", ["k8shelld"]);
        Assert.Equal(successor, new JsonWebToken(second.UserToken).Kid);
        Assert.Equal(published, await KeyIdsAsync(rotating));
        Assert.True((await ValidateAsync(rotating, first.UserToken, "k8shelld")).IsValid);
        Assert.True((await ValidateAsync(rotating, second.UserToken, "k8shelld")).IsValid);
    }

    [Fact]
    public async Task K8shelld_trusts_tokens_for_its_audience_through_identitys_jwks()
    {
        await using var daemon = await ServiceProcess.StartAsync("K8shell.WorkspaceDaemon", "k8shelld", servesGrpc: true, new Dictionary<string, string?>
        {
            ["Workspace__Name"] = "alice-ws",
            ["Workspace__Owner"] = "alice",
            ["Workspace__User"] = Environment.UserName,
            ["Auth__JwksUrl"] = new Uri(identity.Identity.HttpEndpoint, "/.well-known/jwks.json").ToString(),
            ["Auth__Issuer"] = "identity.k8shell",
        }, Cancellation);

        var forDaemon = await HandshakeAsync(daemon, (await IssueAsync(identity.Client, "alice", ["k8shelld"])).UserToken);
        var forOthers = await Assert.ThrowsAsync<RpcException>(async () => await HandshakeAsync(daemon, (await IssueAsync(identity.Client, "alice", [])).UserToken));

        Assert.Equal("alice-ws", forDaemon.Workspace);
        Assert.Equal(StatusCode.Unauthenticated, forOthers.StatusCode);
    }

    private static async Task<IssueUserTokenResponse> IssueAsync(IdentityService.IdentityServiceClient client, string user, string[] audiences, TimeSpan? lifetime = null)
    {
        var request = new IssueUserTokenRequest { Username = user, Source = "ssh-proxy", LifetimeSeconds = (uint)(lifetime?.TotalSeconds ?? 0) };
        request.Audiences.Add(audiences);
        return await client.IssueUserTokenAsync(request, cancellationToken: Cancellation);
    }

    /// <summary>What a verifier would do: fetch the JWKS over HTTP and validate signature, issuer, audience and lifetime.</summary>
    private static async Task<TokenValidationResult> ValidateAsync(ServiceProcess service, string token, string audience)
    {
        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };
        var keys = new JsonWebKeySet(await http.GetStringAsync("/.well-known/jwks.json", Cancellation));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "identity.k8shell",
            ValidAudience = audience,
            IssuerSigningKeys = keys.GetSigningKeys(),
        });
    }

    private static async Task<List<string>> KeyIdsAsync(ServiceProcess service)
    {
        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };
        return [.. new JsonWebKeySet(await http.GetStringAsync("/.well-known/jwks.json", Cancellation)).Keys.Select(key => key.Kid).Order()];
    }

    private Task<ServiceProcess> StartIdentityAsync(string dataDirectory, Dictionary<string, string?>? settings = null) =>
        identity.StartIdentityAsync(identity.UsersFile, dataDirectory, settings);

    private static async Task<K8shell.Contracts.Workspace.V1.HandshakeResponse> HandshakeAsync(ServiceProcess daemon, string token)
    {
        using var channel = GrpcChannels.WithBearer(daemon.GrpcEndpoint!, token);
        return await new SystemService.SystemServiceClient(channel).HandshakeAsync(new HandshakeRequest(), cancellationToken: Cancellation);
    }

    private static string Claim(JsonWebToken token, string type) => token.Claims.First(claim => claim.Type == type).Value;
}
