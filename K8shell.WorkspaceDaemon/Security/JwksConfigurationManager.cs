using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.WorkspaceDaemon.Security;

/// <summary>
/// Identity's signing keys from its JWKS document (no OpenID discovery document: Identity publishes
/// only the key set). Cached for <see cref="RefreshInterval"/>; a token signed with an unknown key
/// asks for a refresh, at most once per <see cref="MinimumRefreshInterval"/> so bad tokens cannot
/// turn into a flood of requests to Identity.
/// </summary>
internal sealed class JwksConfigurationManager(Uri jwksUrl, HttpClient http, ILogger<JwksConfigurationManager> logger)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _attemptedAt = DateTimeOffset.MinValue;
    private bool _refreshRequested;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (_current is { } current && !Due())
        {
            return current;
        }
        await _fetching.WaitAsync(cancel);
        try
        {
            if (Due())
            {
                _attemptedAt = DateTimeOffset.UtcNow;
                if (await FetchAsync(cancel) is { } fetched)
                {
                    _current = fetched;
                    _fetchedAt = _attemptedAt;
                    _refreshRequested = false;
                }
            }
            return _current ?? throw new InvalidOperationException($"no signing keys from {jwksUrl} yet");
        }
        finally
        {
            _fetching.Release();
        }
    }

    public void RequestRefresh() => _refreshRequested = true;

    /// <summary>
    /// Time to fetch: the keys are old, or a token named a key we lack. Either way not sooner than
    /// <see cref="MinimumRefreshInterval"/> after the last attempt, successful or not, so neither bad
    /// tokens nor an unreachable Identity turn into a request per call.
    /// </summary>
    private bool Due()
    {
        var now = DateTimeOffset.UtcNow;
        var wanted = _current is null || _refreshRequested || now - _fetchedAt > RefreshInterval;
        return wanted && now - _attemptedAt > MinimumRefreshInterval;
    }

    /// <summary>The key set, or null when Identity cannot be reached (the keys we have stay in use).</summary>
    private async Task<OpenIdConnectConfiguration?> FetchAsync(CancellationToken cancel)
    {
        try
        {
            var keys = new JsonWebKeySet(await http.GetStringAsync(jwksUrl, cancel));
            var configuration = new OpenIdConnectConfiguration();
            foreach (var key in keys.GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }
            logger.LogInformation("Loaded {Count} signing keys from {JwksUrl}", configuration.SigningKeys.Count, jwksUrl);
            return configuration;
        }
        catch (Exception failure) when (failure is HttpRequestException or ArgumentException or TaskCanceledException)
        {
            logger.LogWarning("Could not load signing keys from {JwksUrl}: {Reason}", jwksUrl, failure.Message);
            return null;
        }
    }
}
