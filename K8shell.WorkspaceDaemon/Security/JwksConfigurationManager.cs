using K8shell.ServiceDefaults.Callers;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.WorkspaceDaemon.Security;

/// <summary>
/// Identity's signing keys from its JWKS document (no OpenID discovery document: Identity publishes
/// only the key set), for the JWT bearer handler. Cached in a <see cref="ThrottledKeySet"/> for
/// <see cref="RefreshInterval"/>; a token signed with an unknown key asks for a refresh, at most once per
/// <see cref="MinimumRefreshInterval"/> (as is any retry after a failure) so neither bad tokens nor an
/// unreachable Identity turn into a request per call.
/// </summary>
internal sealed class JwksConfigurationManager : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>A fetch serves every call waiting for keys, so it is bounded by itself, not by any one caller.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly Uri _jwksUrl;
    private readonly HttpClient _http;
    private readonly ILogger<JwksConfigurationManager> _logger;
    private readonly ThrottledKeySet _keys;
    private volatile bool _refreshRequested;

    // The handler asks once per call; the configuration is rebuilt only when the keys change.
    private volatile Built? _built;

    public JwksConfigurationManager(Uri jwksUrl, HttpClient http, ILogger<JwksConfigurationManager> logger)
    {
        _jwksUrl = jwksUrl;
        _http = http;
        _logger = logger;
        _keys = new ThrottledKeySet(FetchAsync, new KeyRefreshTiming(RefreshInterval, MinimumRefreshInterval, MinimumRefreshInterval),
            failure => failure.Message, $"signing keys from {jwksUrl}", logger);
    }

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var keys = await _keys.GetAsync(_refreshRequested, cancel);
        if (_built is { } built && ReferenceEquals(built.Keys, keys))
        {
            return built.Configuration;
        }
        var configuration = new OpenIdConnectConfiguration();
        foreach (var key in keys)
        {
            configuration.SigningKeys.Add(key);
        }
        _built = new Built(keys, configuration);
        return configuration;
    }

    /// <summary>The handler met a key it lacks: the next look may fetch (throttled), until a fetch has happened.</summary>
    public void RequestRefresh() => _refreshRequested = true;

    private async Task<IReadOnlyList<SecurityKey>> FetchAsync()
    {
        using var timeout = new CancellationTokenSource(FetchTimeout);
        var keys = new JsonWebKeySet(await _http.GetStringAsync(_jwksUrl, timeout.Token)).GetSigningKeys();
        _refreshRequested = false;
        _logger.LogInformation("Loaded {Count} signing keys from {JwksUrl}", keys.Count, _jwksUrl);
        return [.. keys];
    }

    public void Dispose() => _keys.Dispose();

    private sealed record Built(IReadOnlyList<SecurityKey> Keys, OpenIdConnectConfiguration Configuration);
}
