using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// The service-account issuer's public keys: the JWKS named by <c>&lt;issuer&gt;/.well-known/openid-configuration</c>
/// (or <see cref="KubernetesCallerOptions.JwksUrl"/>), fetched through <see cref="IssuerClient"/> on first use and
/// cached in a <see cref="ThrottledKeySet"/>: refetched every <see cref="RefreshInterval"/>, or when a token names a
/// key we lack but not more often than every <see cref="MinimumRefreshInterval"/>; with none yet, calls fail at
/// once with the last reason for <see cref="RetryAfterFailure"/> instead of each waiting out an unreachable issuer.
/// </summary>
public sealed class IssuerKeys : IDisposable
{
    /// <summary>Bounds every call that needs keys we do not have yet.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Key documents are small; a larger answer is not one.</summary>
    public const int MaxDocumentBytes = 1 << 20;

    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly KubernetesCallerOptions _settings;
    private readonly IssuerClient _client;
    private readonly ILogger<IssuerKeys> _logger;
    private readonly ThrottledKeySet _keys;

    public IssuerKeys(IOptions<CallerOptions> options, IssuerClient client, ILogger<IssuerKeys> logger)
    {
        _settings = options.Value.Kubernetes;
        _client = client;
        _logger = logger;
        _keys = new ThrottledKeySet(FetchAsync, new KeyRefreshTiming(RefreshInterval, MinimumRefreshInterval, RetryAfterFailure), Describe,
            "service-account signing keys", logger);
    }

    /// <summary>
    /// The keys to check a token naming <paramref name="keyId"/> with, looked for again (throttled) when it names one
    /// we lack (<see cref="ThrottledKeySet.GetForKeyAsync"/>). Throws <see cref="KeySetUnavailableException"/> when there are none to give.
    /// </summary>
    public Task<IReadOnlyList<SecurityKey>> GetForKeyAsync(string? keyId, CancellationToken cancellationToken) => _keys.GetForKeyAsync(keyId, cancellationToken);

    private async Task<IReadOnlyList<SecurityKey>> FetchAsync()
    {
        var jwksUrl = _settings.JwksUrl ?? await DiscoverAsync();
        var keys = new JsonWebKeySet(await _client.GetStringAsync(jwksUrl)).GetSigningKeys();
        if (keys.Count == 0)
        {
            throw new IssuerUnavailableException($"{jwksUrl} lists no RSA or EC signing keys");
        }
        _logger.LogInformation("Loaded {Count} service-account signing keys from {JwksUrl}", keys.Count, jwksUrl);
        return [.. keys];
    }

    private string Describe(Exception failure) => failure switch
    {
        TaskCanceledException => $"the issuer {_settings.Issuer} did not answer within {FetchTimeout.TotalSeconds:0} s",
        IssuerUnavailableException => failure.Message,
        _ => $"the issuer {_settings.Issuer} is unreachable or answered badly: {failure.Message}",
    };

    /// <summary>The <c>jwks_uri</c> of the issuer's discovery document, which must name the issuer we trust.</summary>
    private async Task<Uri> DiscoverAsync()
    {
        var discovery = new Uri($"{_settings.Issuer!.TrimEnd('/')}/.well-known/openid-configuration");
        using var document = JsonDocument.Parse(await _client.GetStringAsync(discovery));
        var root = document.RootElement;
        var issuer = root.TryGetProperty("issuer", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (issuer != _settings.Issuer)
        {
            throw new IssuerUnavailableException($"{discovery} names issuer '{issuer}', not '{_settings.Issuer}'");
        }
        if (!root.TryGetProperty("jwks_uri", out value) || value.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var jwks) || !CallerOptionsValidation.SchemeAllowed(jwks, _settings.RequireHttps))
        {
            throw new IssuerUnavailableException($"{discovery} has no usable jwks_uri{(_settings.RequireHttps ? " (https required)" : "")}");
        }
        return jwks;
    }

    public void Dispose() => _keys.Dispose();
}

/// <summary>The issuer is unreachable or its documents are unusable (a fetch's failure, with the reason).</summary>
public sealed class IssuerUnavailableException(string reason) : Exception(reason);
