using Grpc.Core;
using K8shell.Contracts.Identity.V1;

namespace K8shell.Identity.Tests;

/// <summary>Only callers on the allow-list get answers; the JWKS stays public, as verifiers need it.</summary>
public sealed class CallerAuthenticationTests(IdentityFixture identity)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token")]
    public async Task Calls_without_an_allowed_credential_are_unauthenticated(string? credential)
    {
        using var channel = identity.ChannelTo(identity.Identity, credential);

        var failure = await Assert.ThrowsAsync<RpcException>(() =>
            new IdentityService.IdentityServiceClient(channel).FindUserAsync(new FindUserRequest { Username = "alice" }, cancellationToken: Cancellation).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
        Assert.DoesNotContain(identity.CallerToken, identity.Identity.Process.Output);
    }

    [Fact]
    public async Task The_key_set_is_public()
    {
        using var http = new HttpClient { BaseAddress = identity.Identity.HttpEndpoint };

        Assert.Contains("\"keys\"", await http.GetStringAsync("/.well-known/jwks.json", Cancellation));
    }
}
