using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// HTTP to the service-account issuer for its discovery documents. With <see cref="KubernetesCallerOptions.CaFile"/>
/// the server's chain must end at one of those CAs and nothing else (the host name is checked as always). With
/// <see cref="KubernetesCallerOptions.TokenFile"/> requests carry that token, read again for each one since the
/// kubelet rotates it, and only to the issuer's own origin or the configured JwksUrl, over https: the pod's
/// token acts as the pod, so a <c>jwks_uri</c> elsewhere (a bucket, a CDN) does not get it.
/// </summary>
public sealed class IssuerClient : IDisposable
{
    private readonly KubernetesCallerOptions _settings;
    private readonly string _section;
    private readonly Uri? _issuer;

    // Our own client, not one from the factory: the service defaults give those retries, but a fetch is shared
    // by every call waiting for keys, so it should end within FetchTimeout with the real reason ("connection
    // refused") rather than retry into a timeout; IssuerKeys tries again itself after RetryAfterFailure.
    // Nor does a factory client's logging see the Authorization header we add.
    private readonly HttpClient _http;

    public IssuerClient(IOptions<CallerOptions> options)
    {
        _settings = options.Value.Kubernetes;
        _section = options.Value.KubernetesSection;
        _issuer = Uri.TryCreate(_settings.Issuer, UriKind.Absolute, out var issuer) ? issuer : null;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        if (!string.IsNullOrEmpty(_settings.CaFile))
        {
            handler.SslOptions.CertificateChainPolicy = TrustOnly(ClusterFiles.LoadCertificates(_settings.CaFile));
        }
        _http = new HttpClient(handler) { Timeout = IssuerKeys.FetchTimeout, MaxResponseContentBufferSize = IssuerKeys.MaxDocumentBytes };
    }

    /// <summary>
    /// Chains must end at one of <paramref name="authorities"/>, not at a system root. Cluster CAs publish no
    /// revocation lists, and nothing needs downloading to reach them.
    /// </summary>
    private static X509ChainPolicy TrustOnly(X509Certificate2Collection authorities)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(authorities);
        return policy;
    }

    /// <summary>The body of a successful answer; <see cref="IssuerUnavailableException"/> saying why not otherwise.</summary>
    public async Task<string> GetStringAsync(Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var authenticated = SendsToken(url);
        if (authenticated)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await ReadTokenAsync());
        }
        // Not a caller's cancellation: a fetch serves every call waiting for it. The client's timeout bounds it.
        using var response = await SendAsync(request, url);
        if (!response.IsSuccessStatusCode)
        {
            throw new IssuerUnavailableException($"{url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}{Hint((int)response.StatusCode, authenticated)}");
        }
        return await response.Content.ReadAsStringAsync(CancellationToken.None);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Uri url)
    {
        try
        {
            return await _http.SendAsync(request, CancellationToken.None);
        }
        catch (HttpRequestException failure) when (failure.InnerException is AuthenticationException tls)
        {
            // The outer message only says "see inner exception"; the inner one says what was wrong with the certificate.
            var trust = string.IsNullOrEmpty(_settings.CaFile)
                ? $"trusting the system's CAs; set {_section}:CaFile to the CA that signed it"
                : $"trusting only {_settings.CaFile}";
            throw new IssuerUnavailableException($"TLS to {url} failed ({trust}): {tls.Message}");
        }
    }

    private bool SendsToken(Uri url) =>
        !string.IsNullOrEmpty(_settings.TokenFile) && url.Scheme == Uri.UriSchemeHttps
        && (url == _settings.JwksUrl || (_issuer is not null && Uri.Compare(url, _issuer, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0));

    private async Task<string> ReadTokenAsync()
    {
        try
        {
            return await ClusterFiles.ReadTokenAsync(_settings.TokenFile!, CancellationToken.None);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new IssuerUnavailableException($"{_section}:TokenFile '{_settings.TokenFile}' {ClusterFiles.Describe(failure)}");
        }
    }

    /// <summary>What a refusal most likely means, given whether we sent the token.</summary>
    private string Hint(int status, bool authenticated) => (status, authenticated) switch
    {
        (401, true) => $" (it refused the token from {_settings.TokenFile}: expired, or not one it accepts)",
        (403, true) => " (the token's service account may not read discovery documents: bind it to the system:service-account-issuer-discovery ClusterRole)",
        (401 or 403, false) when !string.IsNullOrEmpty(_settings.TokenFile) =>
            $" (the token goes only to the issuer's own address and a configured JwksUrl: set {_section}:JwksUrl to the issuer's keys)",
        (401 or 403, false) => $" (it wants a bearer token: set {_section}:TokenFile, or allow anonymous discovery)",
        _ => "",
    };

    public void Dispose() => _http.Dispose();
}
