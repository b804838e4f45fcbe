using Grpc.Core;
using K8shell.ServiceDefaults.Callers;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Checks the user token a recording header carries (an ES256 JWT Identity issued) against Identity's published keys
/// (<see cref="JwksKeySet"/>), for <see cref="RecordingOptions.UserTokenAudience"/>, within its lifetime, and gives
/// the user it names: recordings are filed under that name, never one the caller merely claims. Refusals are
/// Unauthenticated with the reason (never the token); Unavailable while Identity's keys cannot be had.
/// </summary>
internal sealed class UserTokens : IDisposable
{
    /// <summary>Clocks drift a little; tokens live an hour, so 30 s costs nothing (as k8shelld and the caller checks allow).</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly RecordingOptions _options;
    private readonly JwksKeySet? _keys;
    private readonly JsonWebTokenHandler _handler = new();

    public UserTokens(IOptions<RecordingOptions> options, IHttpClientFactory http, ILogger<UserTokens> logger)
    {
        _options = options.Value;
        _keys = _options.JwksUrl is { } jwks ? new JwksKeySet(jwks, http.CreateClient(nameof(UserTokens)), logger) : null;
    }

    /// <summary>The username (<c>sub</c>) of a valid token; RpcException otherwise.</summary>
    public async Task<string> UsernameAsync(string credential, CancellationToken cancellationToken)
    {
        if (_keys is null)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Sessions cannot check user tokens: set {RecordingOptions.Section}:JwksUrl or services:identity:http:0"));
        }
        if (string.IsNullOrEmpty(credential))
        {
            throw Refused("the header's origin.user_token is empty");
        }
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(credential);
        }
        catch (ArgumentException)
        {
            throw Refused("the header's user token is not a JWT");
        }
        IReadOnlyList<SecurityKey> keys;
        try
        {
            keys = await _keys.GetForKeyAsync(token.Kid, cancellationToken);
        }
        catch (KeySetUnavailableException unavailable)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"cannot check user tokens now: {unavailable.Message}"));
        }
        var result = await _handler.ValidateTokenAsync(token, Parameters(keys));
        if (!result.IsValid)
        {
            throw Refused(Reason(result.Exception, token));
        }
        return token.Subject is { Length: > 0 } username ? username : throw Refused("the user token names no user (sub)");
    }

    private TokenValidationParameters Parameters(IReadOnlyList<SecurityKey> keys) => new()
    {
        ValidAudience = _options.UserTokenAudience,
        ValidateIssuer = !string.IsNullOrEmpty(_options.UserTokenIssuer),
        ValidIssuer = _options.UserTokenIssuer,
        IssuerSigningKeys = keys,
        // Identity signs user tokens with ES256 only (SPEC.md §8).
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = ClockSkew,
    };

    private string Reason(Exception? failure, JsonWebToken token) => failure switch
    {
        SecurityTokenExpiredException => $"the user token expired at {token.ValidTo:u}",
        SecurityTokenNotYetValidException => $"the user token is not valid before {token.ValidFrom:u}",
        SecurityTokenNoExpirationException => "the user token has no expiry",
        SecurityTokenInvalidAudienceException => $"the user token is for [{string.Join(", ", token.Audiences.Select(Shorten))}], not '{_options.UserTokenAudience}'",
        SecurityTokenInvalidIssuerException => $"the user token is from issuer '{Shorten(token.Issuer)}', not '{_options.UserTokenIssuer}'",
        SecurityTokenInvalidAlgorithmException => $"the user token is signed with {Shorten(token.Alg)}, not ES256",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "the user token's signature does not verify with Identity's published keys",
        _ => $"the user token is invalid ({failure?.GetType().Name ?? "no reason given"})",
    };

    private static RpcException Refused(string reason) => new(new Status(StatusCode.Unauthenticated, reason));

    /// <summary>Claims are the caller's text: kept short in replies.</summary>
    private static string Shorten(string? text) => text is null ? "" : text.Length <= 100 ? text : $"{text[..100]}…";

    public void Dispose() => _keys?.Dispose();
}
