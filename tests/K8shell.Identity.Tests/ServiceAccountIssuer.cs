using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.Identity.Tests;

/// <summary>
/// A Kubernetes service-account issuer as Identity sees one: the two discovery documents the API server
/// serves (<c>/.well-known/openid-configuration</c>, <c>/openid/v1/jwks</c>) for an RSA key and an EC key
/// made for the run, and tokens shaped like the projected ones the kubelet mounts into pods. No API server
/// can run on our build machines, so the tests serve these documents themselves, on a loopback port.
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

    public static async Task<ServiceAccountIssuer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var issuer = new ServiceAccountIssuer(builder.Build());
        issuer.Map();
        await issuer._app.StartAsync(cancellationToken);
        // Port 0 until started: the documents read the URL when asked, by then it is known.
        issuer.Url = issuer._app.Urls.Single();
        return issuer;
    }

    /// <summary>The two endpoints, with the fields the API server's documents carry.</summary>
    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Url,
            ["jwks_uri"] = $"{Url}/openid/v1/jwks",
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
