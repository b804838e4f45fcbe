using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// Kubernetes projected service-account tokens as caller credentials: signed by the configured issuer
/// (RS256, Kubernetes' default, or ES256) with a key it publishes, for our audience, within their lifetime,
/// and for a service account on the allow-list. Reasons name what was wrong, never the token.
/// </summary>
public sealed class ServiceAccountTokens(IOptions<CallerOptions> options, IssuerKeys keys)
{
    public const string SubjectPrefix = "system:serviceaccount:";

    /// <summary>Clocks in a cluster drift a little; tokens live an hour or more, so 30 s costs nothing.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly KubernetesCallerOptions _settings = options.Value.Kubernetes;
    private readonly string _section = options.Value.KubernetesSection;
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Three dot-separated parts: worth checking as a token rather than as a static secret.</summary>
    public static bool LooksLikeJwt(string credential) => credential.Count(c => c == '.') == 2;

    /// <summary>The caller's name for logs, <c>&lt;namespace&gt;/&lt;name&gt;</c>; throws <see cref="CallerRefusal"/> otherwise.</summary>
    public async Task<string> ValidateAsync(string credential, CancellationToken cancellationToken)
    {
        if (!_settings.Enabled)
        {
            throw new CallerRefusal($"a token, but service-account callers are off ({_section}:Issuer is not set)");
        }
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(credential);
        }
        catch (ArgumentException)
        {
            throw new CallerRefusal("a malformed service-account token");
        }
        // Checked before any keys are fetched: a token from elsewhere should not make us call our issuer.
        if (token.Issuer != _settings.Issuer)
        {
            throw new CallerRefusal($"a token from issuer '{Shorten(token.Issuer)}', not the configured '{_settings.Issuer}'");
        }
        var signing = await SigningKeysAsync(token, cancellationToken);
        var result = await _handler.ValidateTokenAsync(token, Parameters(signing));
        if (!result.IsValid)
        {
            throw new CallerRefusal(Reason(result.Exception, token));
        }
        return Caller(token);
    }

    private async Task<IReadOnlyList<SecurityKey>> SigningKeysAsync(JsonWebToken token, CancellationToken cancellationToken)
    {
        try
        {
            // The issuer may have rotated its key since we fetched: a kid we lack is looked for again (throttled) before refusing.
            var signing = await keys.GetForKeyAsync(token.Kid, cancellationToken);
            return token.Kid is not { Length: > 0 } kid || signing.Any(key => key.KeyId == kid)
                ? signing
                : throw new CallerRefusal($"a token signed with a key the issuer does not publish (kid '{Shorten(kid)}')");
        }
        catch (KeySetUnavailableException unavailable)
        {
            // Not the caller's fault and likely to pass: Unavailable tells it to retry rather than give up.
            throw new CallerRefusal($"cannot check service-account tokens now: {unavailable.Message}", StatusCode.Unavailable);
        }
    }

    private TokenValidationParameters Parameters(IReadOnlyList<SecurityKey> signing) => new()
    {
        ValidIssuer = _settings.Issuer,
        ValidAudience = _settings.Audience,
        IssuerSigningKeys = signing,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = ClockSkew,
    };

    private string Reason(Exception? failure, JsonWebToken token) => failure switch
    {
        SecurityTokenExpiredException => $"a service-account token that expired at {token.ValidTo:u}",
        SecurityTokenNotYetValidException => $"a service-account token not valid before {token.ValidFrom:u}",
        SecurityTokenNoExpirationException => "a service-account token without an expiry",
        SecurityTokenInvalidAudienceException =>
            $"a service-account token for audience [{string.Join(", ", token.Audiences.Select(Shorten))}], not '{_settings.Audience}'",
        SecurityTokenInvalidAlgorithmException => $"a service-account token signed with {Shorten(token.Alg)}, not RS256 or ES256",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "a service-account token whose signature does not verify with the issuer's keys",
        _ => $"an invalid service-account token ({failure?.GetType().Name ?? "no reason given"})",
    };

    /// <summary>
    /// <c>system:serviceaccount:&lt;namespace&gt;:&lt;name&gt;</c> from the allow-list. The <c>kubernetes.io</c>
    /// claim, when present, must name the same account: a token that disagrees with itself is not one the API server made.
    /// </summary>
    private string Caller(JsonWebToken token)
    {
        var parts = token.Subject?.StartsWith(SubjectPrefix, StringComparison.Ordinal) == true
            ? token.Subject[SubjectPrefix.Length..].Split(':')
            : [];
        if (parts is not [{ Length: > 0 } space, { Length: > 0 } name])
        {
            throw new CallerRefusal($"a token whose subject '{Shorten(token.Subject)}' is not a service account");
        }
        if (KubernetesClaim(token) is var (claimedSpace, claimedName) && (claimedSpace != space || claimedName != name))
        {
            throw new CallerRefusal($"a token whose kubernetes.io claim ({Shorten(claimedSpace)}/{Shorten(claimedName)}) disagrees with its subject");
        }
        if (!_settings.Allowed.Any(allowed => allowed.Namespace == space && allowed.ServiceAccount == name))
        {
            throw new CallerRefusal($"service account {space}/{name} is not an allowed caller");
        }
        return $"{space}/{name}";
    }

    /// <summary>The namespace and service-account name from <c>{"kubernetes.io": {"namespace", "serviceaccount": {"name"}}}</c>, if present.</summary>
    private static (string? Namespace, string? Name)? KubernetesClaim(JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<JsonElement>("kubernetes.io", out var claim) || claim.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var space = claim.TryGetProperty("namespace", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var name = claim.TryGetProperty("serviceaccount", out var account) && account.ValueKind == JsonValueKind.Object
            && account.TryGetProperty("name", out value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return (space, name);
    }

    /// <summary>Claims are the caller's text: kept short in logs and replies.</summary>
    private static string Shorten(string? text) => text is null ? "" : text.Length <= 100 ? text : $"{text[..100]}…";
}
