using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// How often a <see cref="ThrottledKeySet"/> fetches: when its keys are older than <see cref="Refresh"/>;
/// when a token names a key it lacks, not sooner than <see cref="OnUnknownKey"/> after the last attempt;
/// and never sooner than <see cref="AfterFailure"/> after an attempt otherwise.
/// </summary>
public sealed record KeyRefreshTiming(TimeSpan Refresh, TimeSpan OnUnknownKey, TimeSpan AfterFailure);

/// <summary>
/// A signing key set fetched on first use and cached, refetched as <see cref="KeyRefreshTiming"/> allows, so
/// neither made-up key ids nor an unreachable source turn into a request per call. A failed fetch keeps
/// the keys we have; with none yet, calls fail at once with the last reason. One fetch at a time serves
/// every waiting call, so it is not cancelled with any one caller: the fetch must bound itself.
/// </summary>
public sealed class ThrottledKeySet(Func<Task<IReadOnlyList<SecurityKey>>> fetch, KeyRefreshTiming timing, Func<Exception, string> describe,
    string what, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _fetching = new(1, 1);

    // One immutable snapshot, swapped whole: readers outside the semaphore never see half an update.
    private volatile Snapshot _state = new(null, DateTimeOffset.MinValue, DateTimeOffset.MinValue, null);

    /// <summary>
    /// The keys, refetched first if due (<paramref name="keyMissing"/>: a token named a key not among them).
    /// Throws <see cref="KeySetUnavailableException"/> when there are none to give.
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
                _state = state = await FetchAsync(state);
            }
            return state.Keys ?? throw new KeySetUnavailableException(state.Failure ?? "no keys fetched yet");
        }
        finally
        {
            _fetching.Release();
        }
    }

    /// <summary>
    /// The keys to check a token naming <paramref name="keyId"/> with: when it names one we lack, the source may
    /// have rotated since we fetched, so look again (throttled) before the caller refuses the token.
    /// </summary>
    public async Task<IReadOnlyList<SecurityKey>> GetForKeyAsync(string? keyId, CancellationToken cancellationToken)
    {
        var keys = await GetAsync(keyMissing: false, cancellationToken);
        return keyId is not { Length: > 0 } || keys.Any(key => key.KeyId == keyId) ? keys : await GetAsync(keyMissing: true, cancellationToken);
    }

    private bool Due(Snapshot state, bool keyMissing)
    {
        var now = DateTimeOffset.UtcNow;
        var sinceAttempt = now - state.AttemptedAt;
        return state.Keys is null ? sinceAttempt >= timing.AfterFailure
            : keyMissing ? sinceAttempt >= timing.OnUnknownKey
            : now - state.FetchedAt >= timing.Refresh && sinceAttempt >= timing.AfterFailure;
    }

    /// <summary>
    /// Times are taken when the attempt ends: a fetch that waited out its timeout must not count as long
    /// enough ago to try again at once, or every call would wait the timeout in turn.
    /// </summary>
    private async Task<Snapshot> FetchAsync(Snapshot previous)
    {
        try
        {
            var keys = await fetch();
            var fetched = DateTimeOffset.UtcNow;
            return new Snapshot(keys, fetched, fetched, null);
        }
        catch (Exception failure)
        {
            // Whatever went wrong (refused, timed out, TLS, not JSON, no keys), calls get a reason, not a 500.
            var reason = describe(failure);
            logger.LogWarning("Could not load {What} ({Keeping}): {Reason}", what, previous.Keys is null ? "no keys yet" : "keeping the previous ones", reason);
            return previous with { AttemptedAt = DateTimeOffset.UtcNow, Failure = reason };
        }
    }

    public void Dispose() => _fetching.Dispose();

    private sealed record Snapshot(IReadOnlyList<SecurityKey>? Keys, DateTimeOffset FetchedAt, DateTimeOffset AttemptedAt, string? Failure);
}

/// <summary>No keys to check a token with: their source is unreachable or its documents are unusable.</summary>
public sealed class KeySetUnavailableException(string reason) : Exception(reason);
