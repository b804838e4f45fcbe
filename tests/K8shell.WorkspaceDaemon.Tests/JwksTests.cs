using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Testing;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.WorkspaceDaemon.Tests;

/// <summary>Keys from Identity's JWKS document (served here by a plain HTTP listener, as Identity publishes it).</summary>
public sealed class JwksTests(DaemonFixture daemon)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tokens_signed_with_a_published_key_are_accepted_and_the_key_set_is_fetched_once()
    {
        using var published = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var unpublished = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var port = FreePort.Next();
        using var jwks = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        jwks.Start();
        var fetches = 0;
        var serving = ServeAsync(jwks, KeySet(new ECDsaSecurityKey(published) { KeyId = "k1" }), () => Interlocked.Increment(ref fetches));
        await using var withJwks = await daemon.StartDaemonAsync(settings: new()
        {
            ["Auth__PublicKeyFile"] = null,
            ["Auth__JwksUrl"] = $"http://127.0.0.1:{port}/.well-known/jwks.json",
        });

        for (var call = 0; call < 3; call++)
        {
            using var channel = daemon.ChannelTo(withJwks, daemon.Token(signedWith: published, keyId: "k1"));
            Assert.True((await new SystemService.SystemServiceClient(channel).HandshakeAsync(new HandshakeRequest(), cancellationToken: Cancellation)).Accepted);
        }
        using (var channel = daemon.ChannelTo(withJwks, daemon.Token(signedWith: unpublished, keyId: "k2")))
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() =>
                new SystemService.SystemServiceClient(channel).HandshakeAsync(new HandshakeRequest(), cancellationToken: Cancellation).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, failure.StatusCode);
        }

        Assert.Equal(1, fetches);
        jwks.Stop();
        await serving;
    }

    private static string KeySet(ECDsaSecurityKey key)
    {
        var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key);
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = jwk.Kid, use = "sig", alg = "ES256" } } });
    }

    private static async Task ServeAsync(HttpListener listener, string document, Action counted)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception stopped) when (stopped is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            counted();
            var body = Encoding.UTF8.GetBytes(document);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(body, Cancellation);
            context.Response.Close();
        }
    }
}
