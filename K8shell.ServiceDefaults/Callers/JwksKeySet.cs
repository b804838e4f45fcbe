using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// Identity's signing keys from its JWKS document (Identity publishes only the key set, no OpenID discovery
/// document), for services that check user tokens: k8shelld for its callers, Sessions for recording headers.
/// Cached in a <see cref="ThrottledKeySet"/> for <see cref="RefreshInterval"/>; a token signed with an unknown
/// key asks for a refresh, at most once per <see cref="MinimumRefreshInterval"/> (as is any retry after a
/// failure), so neither bad tokens nor an unreachable Identity turn into a request per call.
/// </summary>
public sealed class JwksKeySet : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>A fetch serves every call waiting for keys, so it is bounded by itself, not by any one caller.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly ThrottledKeySet _keys;

    public JwksKeySet(Uri jwksUrl, HttpClient http, ILogger logger)
    {
        Url = jwksUrl;
        _http = http;
        _logger = logger;
        _keys = new ThrottledKeySet(FetchAsync, new KeyRefreshTiming(RefreshInterval, MinimumRefreshInterval, MinimumRefreshInterval),
            failure => failure.Message, $"signing keys from {jwksUrl}", logger);
    }

    public Uri Url { get; }

    /// <summary>
    /// The keys, refetched first if due (<paramref name="keyMissing"/>: a token named a key not among them).
    /// Throws <see cref="KeySetUnavailableException"/> when there are none to give.
    /// </summary>
    public Task<IReadOnlyList<SecurityKey>> GetAsync(bool keyMissing, CancellationToken cancellationToken) => _keys.GetAsync(keyMissing, cancellationToken);

    /// <summary>The keys to check a token naming <paramref name="keyId"/> with (<see cref="ThrottledKeySet.GetForKeyAsync"/>).</summary>
    public Task<IReadOnlyList<SecurityKey>> GetForKeyAsync(string? keyId, CancellationToken cancellationToken) => _keys.GetForKeyAsync(keyId, cancellationToken);

    private async Task<IReadOnlyList<SecurityKey>> FetchAsync()
    {
        using var timeout = new CancellationTokenSource(FetchTimeout);
        var keys = new JsonWebKeySet(await _http.GetStringAsync(Url, timeout.Token)).GetSigningKeys();
        _logger.LogInformation("Loaded {Count} signing keys from {JwksUrl}", keys.Count, Url);
        return [.. keys];
    }

    public void Dispose() => _keys.Dispose();
}
