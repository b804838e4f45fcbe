namespace K8shell.Identity.Users.OAuth;

/// <summary>
/// The configured OAuth providers, in name order: the order in which they are asked when no provider
/// is named (reference §3.3). A wrong provider configuration stops the service at start.
/// </summary>
public sealed class OAuthProviders : IDisposable
{
    /// <summary>
    /// Not from the factory, whose clients retry (ServiceDefaults): a device code must not be posted
    /// twice, and each provider bounds its calls with its own timeout.
    /// </summary>
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    public OAuthProviders(IConfiguration configuration)
    {
        All = [.. configuration.GetSection(OAuthProviderOptions.Section).GetChildren()
            .OrderBy(section => section.Key, StringComparer.Ordinal)
            .Select(section => (section.Key, Options: section.Get<OAuthProviderOptions>() ?? new OAuthProviderOptions()))
            .Select(provider => new OAuthProvider(provider.Key, provider.Options, OAuthEndpoints.Resolve(provider.Key, provider.Options),
                _http))];
    }

    public IReadOnlyList<OAuthProvider> All { get; }

    /// <summary>The provider whose users carry <paramref name="source"/> ("idp.k8shell.io/github" or "github").</summary>
    public OAuthProvider? Find(string source) =>
        All.FirstOrDefault(provider => provider.Name == source || provider.Name == OAuthProvider.SourcePrefix + source);

    public void Dispose() => _http.Dispose();
}
