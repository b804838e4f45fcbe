using K8shell.ServiceDefaults.Callers;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.WorkspaceDaemon.Security;

/// <summary>
/// Identity's signing keys (<see cref="JwksKeySet"/>: cached, refetched on an unknown key id at most every
/// 30 s) in the shape the JWT bearer handler asks for.
/// </summary>
internal sealed class JwksConfigurationManager(Uri jwksUrl, HttpClient http, ILogger<JwksConfigurationManager> logger)
    : IConfigurationManager<OpenIdConnectConfiguration>, IDisposable
{
    private readonly JwksKeySet _keys = new(jwksUrl, http, logger);
    private volatile bool _refreshRequested;

    // The handler asks once per call; the configuration is rebuilt only when the keys change.
    private volatile Built? _built;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var keys = await _keys.GetAsync(_refreshRequested, cancel);
        if (_built is { } built && ReferenceEquals(built.Keys, keys))
        {
            return built.Configuration;
        }
        // New keys: a fetch happened, which is what a requested refresh waited for.
        _refreshRequested = false;
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

    public void Dispose() => _keys.Dispose();

    private sealed record Built(IReadOnlyList<SecurityKey> Keys, OpenIdConnectConfiguration Configuration);
}
