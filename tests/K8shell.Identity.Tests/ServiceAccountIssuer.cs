using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.Identity.Tests;

/// <summary>
/// A Kubernetes service-account issuer as Identity sees one: the two discovery documents the API server
/// serves (<c>/.well-known/openid-configuration</c>, <c>/openid/v1/jwks</c>) for an RSA key and an EC key
/// made for the run, and tokens shaped like the projected ones the kubelet mounts into pods. No API server
/// can run on our build machines, so the tests serve these documents themselves, on a loopback port: over
/// plain HTTP, or like an API server over HTTPS with a certificate from a cluster CA, and with
/// <see cref="RequiredBearer"/> for clusters that do not allow anonymous discovery.
/// </summary>
public sealed class ServiceAccountIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    private ServiceAccountIssuer(WebApplication app) => _app = app;

    /// <summary>The issuer URL: the <c>iss</c> of its tokens and where its discovery documents are.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Kubernetes' default: RS256.</summary>
    public SecurityKey RsaKey { get; } = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rsa-" + Guid.NewGuid().ToString("N")[..8] };

    /// <summary>An API server configured with an EC key signs ES256.</summary>
    public SecurityKey EcKey { get; } = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-" + Guid.NewGuid().ToString("N")[..8] };

    /// <summary>
    /// The token the discovery endpoints demand as a bearer (answering 401 otherwise, as the API server does);
    /// null: anonymous discovery.
    /// </summary>
    public string? RequiredBearer { get; set; }

    /// <summary>The discovery document's <c>jwks_uri</c> (null: its own), as for an API server whose keys are published elsewhere.</summary>
    public string? JwksUri { get; set; }

    /// <summary>What each request to the issuer asked for, and the Authorization header it carried.</summary>
    public ConcurrentQueue<(string Path, string Authorization)> Requests { get; } = new();

    /// <summary>Over HTTPS on 127.0.0.1 with <paramref name="certificate"/> if given, else plain HTTP.</summary>
    public static async Task<ServiceAccountIssuer> StartAsync(CancellationToken cancellationToken, X509Certificate2? certificate = null)
    {
        var builder = LoopbackWebApplication.CreateBuilder();
        if (certificate is not null)
        {
            // In place of the builder's plain HTTP address.
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        }
        var issuer = new ServiceAccountIssuer(builder.Build());
        issuer.Map();
        await issuer._app.StartAsync(cancellationToken);
        // Port 0 until started: the documents read the URL when asked, by then it is known.
        issuer.Url = issuer._app.Urls.Single();
        return issuer;
    }

    /// <summary>The two endpoints, with the fields the API server's documents carry, behind its bearer check.</summary>
    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            Requests.Enqueue((context.Request.Path, authorization));
            if (RequiredBearer is { } bearer && authorization != $"Bearer {bearer}")
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            await next(context);
        });
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Url,
            ["jwks_uri"] = JwksUri ?? $"{Url}/openid/v1/jwks",
            ["response_types_supported"] = new[] { "id_token" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        }));
        _app.MapGet("/openid/v1/jwks", () => Results.Json(new { keys = new[] { PublicJwk(RsaKey), PublicJwk(EcKey) } }, contentType: "application/jwk-set+json"));
    }

    /// <summary>
    /// A projected service-account token: <c>sub</c> system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;,
    /// the <c>kubernetes.io</c> claim naming the same account (or <paramref name="claimedServiceAccount"/>) and its pod,
    /// valid for an hour from <paramref name="issuedAt"/>.
    /// </summary>
    public string Mint(
        string serviceAccount = "ssh-proxy",
        string @namespace = "k8shell",
        string audience = "identity",
        DateTime? issuedAt = null,
        SecurityKey? key = null,
        string? issuer = null,
        string? claimedServiceAccount = null)
    {
        var iat = issuedAt ?? DateTime.UtcNow;
        key ??= RsaKey;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Url,
            IssuedAt = iat,
            NotBefore = iat,
            Expires = iat.AddHours(1),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = $"system:serviceaccount:{@namespace}:{serviceAccount}",
                ["aud"] = new[] { audience },
                ["jti"] = Guid.NewGuid().ToString(),
                ["kubernetes.io"] = new Dictionary<string, object>
                {
                    ["namespace"] = @namespace,
                    ["pod"] = new Dictionary<string, object> { ["name"] = $"{serviceAccount}-7d9f8", ["uid"] = Guid.NewGuid().ToString() },
                    ["serviceaccount"] = new Dictionary<string, object> { ["name"] = claimedServiceAccount ?? serviceAccount, ["uid"] = Guid.NewGuid().ToString() },
                },
            },
            SigningCredentials = new SigningCredentials(key, key is RsaSecurityKey ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>The public half of a key as a JWK, the way the API server lists its keys.</summary>
    private static Dictionary<string, string> PublicJwk(SecurityKey key)
    {
        if (key is RsaSecurityKey rsa)
        {
            var p = rsa.Rsa.ExportParameters(includePrivateParameters: false);
            return new()
            {
                ["use"] = "sig", ["kty"] = "RSA", ["kid"] = rsa.KeyId, ["alg"] = "RS256",
                ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            };
        }
        var ec = ((ECDsaSecurityKey)key).ECDsa.ExportParameters(includePrivateParameters: false);
        return new()
        {
            ["use"] = "sig", ["kty"] = "EC", ["kid"] = key.KeyId, ["alg"] = "ES256", ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(ec.Q.X), ["y"] = Base64UrlEncoder.Encode(ec.Q.Y),
        };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
