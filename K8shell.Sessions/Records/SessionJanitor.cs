using Microsoft.Extensions.Options;

namespace K8shell.Sessions.Records;

/// <summary>
/// Ends sessions whose proxy vanished (no upsert for <see cref="JanitorOptions.Ttl"/>) at their last sign of life.
/// One replica at a time, by the <c>session-janitor</c> lease. The first round waits one interval: after Sessions
/// itself was down, live proxies get that long to report again before their sessions count as abandoned.
/// </summary>
internal sealed class SessionJanitor(SessionStore store, IOptions<JanitorOptions> options, DatabaseLeases leases, TimeProvider time, ILogger<SessionJanitor> logger)
    : LeasedPeriodicJob(leases.For(LeaseName, options.Value.Interval), time, logger)
{
    public const string LeaseName = "session-janitor";

    private readonly JanitorOptions _options = options.Value;

    protected override TimeSpan Interval => _options.Interval;

    protected override bool RunsAtStart => false;

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = Time.GetUtcNow() - _options.Ttl;
        var ended = await InBatchesAsync(_options.BatchSize, token => store.EndStaleAsync(cutoff, _options.BatchSize, token), cancellationToken);
        if (ended > 0)
        {
            Logger.LogInformation("Session janitor ended {Count} sessions not updated since {Cutoff:O}", ended, cutoff);
        }
    }
}
