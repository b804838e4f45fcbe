using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// The service-account issuer's public keys: the JWKS named by <c>&lt;issuer&gt;/.well-known/openid-configuration</c>
/// (or <see cref="KubernetesCallerOptions.JwksUrl"/>), fetched through <see cref="IssuerClient"/> on first use and
/// cached. Refetched every <see cref="RefreshInterval"/>, or when a token names a key we lack but not more often than every
/// <see cref="MinimumRefreshInterval"/>, so made-up key ids cannot turn into a request per call. A failed
/// fetch keeps the keys we have; with none yet, calls fail at once with the last reason for
/// <see cref="RetryAfterFailure"/> instead of each waiting out an unreachable issuer.
/// </summary>
public sealed class IssuerKeys(IOptions<CallerOptions> options, IssuerClient client, ILogger<IssuerKeys> logger) : IDisposable
{
    /// <summary>Bounds every call that needs keys we do not have yet.</summary>
    public static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Key documents are small; a larger answer is not one.</summary>
    public const int MaxDocumentBytes = 1 << 20;

    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly KubernetesCallerOptions _settings = options.Value.Kubernetes;
    private readonly SemaphoreSlim _fetching = new(1, 1);

    // One immutable snapshot, swapped whole: readers outside the semaphore never see half an update.
    private volatile Snapshot _state = new(null, DateTimeOffset.MinValue, DateTimeOffset.MinValue, null);

    /// <summary>
    /// The keys, refetched first if due (<paramref name="keyMissing"/>: a token named a key not among them).
    /// Throws <see cref="IssuerUnavailableException"/> when there are none to give.
    /// </summary>
    public async Task<IReadOnlyList<SecurityKey>> GetAsync(bool keyMissing, CancellationToken cancellationToken)
    {
        var current = _state;
        if (current.Keys is { } keys && !Due(current, keyMissing))
        {
            return keys;
        }
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            var state = _state;
            if (Due(state, keyMissing))
            {
                // Not the caller's token: a fetch serves every call waiting for it, so one caller giving up
                // must not cancel it for the others. FetchTimeout bounds it instead.
                _state = state = await FetchAsync(state);
            }
            return state.Keys ?? throw new IssuerUnavailableException(state.Failure ?? "no keys fetched yet");
        }
        finally
        {
            _fetching.Release();
        }
    }

    private static bool Due(Snapshot state, bool keyMissing)
    {
        var now = DateTimeOffset.UtcNow;
        var sinceAttempt = now - state.AttemptedAt;
        return state.Keys is null ? sinceAttempt >= RetryAfterFailure
            : keyMissing ? sinceAttempt >= MinimumRefreshInterval
            : now - state.FetchedAt >= RefreshInterval && sinceAttempt >= RetryAfterFailure;
    }

    /// <summary>
    /// Times are taken when the attempt ends: a fetch that waited out the timeout must not count as long
    /// enough ago to try again at once, or every call would wait the timeout in turn.
    /// </summary>
    private async Task<Snapshot> FetchAsync(Snapshot previous)
    {
        try
        {
            var jwksUrl = _settings.JwksUrl ?? await DiscoverAsync();
            var keys = new JsonWebKeySet(await client.GetStringAsync(jwksUrl)).GetSigningKeys();
            if (keys.Count == 0)
            {
                throw new IssuerUnavailableException($"{jwksUrl} lists no RSA or EC signing keys");
            }
            logger.LogInformation("Loaded {Count} service-account signing keys from {JwksUrl}", keys.Count, jwksUrl);
            var fetched = DateTimeOffset.UtcNow;
            return new Snapshot([.. keys], fetched, fetched, null);
        }
        catch (Exception failure)
        {
            // Whatever went wrong (refused, timed out, TLS, not JSON, no keys), calls get a reason, not a 500.
            var reason = failure switch
            {
                TaskCanceledException => $"the issuer {_settings.Issuer} did not answer within {FetchTimeout.TotalSeconds:0} s",
                IssuerUnavailableException => failure.Message,
                _ => $"the issuer {_settings.Issuer} is unreachable or answered badly: {failure.Message}",
            };
            logger.LogWarning("Could not load service-account signing keys ({Keeping}): {Reason}",
                previous.Keys is null ? "no keys yet" : "keeping the previous ones", reason);
            return previous with { AttemptedAt = DateTimeOffset.UtcNow, Failure = reason };
        }
    }

    /// <summary>The <c>jwks_uri</c> of the issuer's discovery document, which must name the issuer we trust.</summary>
    private async Task<Uri> DiscoverAsync()
    {
        var discovery = new Uri($"{_settings.Issuer!.TrimEnd('/')}/.well-known/openid-configuration");
        using var document = JsonDocument.Parse(await client.GetStringAsync(discovery));
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

    public void Dispose() => _fetching.Dispose();

    private sealed record Snapshot(IReadOnlyList<SecurityKey>? Keys, DateTimeOffset FetchedAt, DateTimeOffset AttemptedAt, string? Failure);
}

/// <summary>No keys to check a token with: the issuer is unreachable or its documents are unusable.</summary>
public sealed class IssuerUnavailableException(string reason) : Exception(reason);
