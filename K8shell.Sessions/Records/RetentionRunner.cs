using Microsoft.Extensions.Options;

namespace K8shell.Sessions.Records;

/// <summary>
/// Deletes what ended longer than <see cref="RetentionOptions.MaxAge"/> ago, target by target, in batches, on one
/// replica at a time (the <c>session-retention</c> lease). Runs at start and then every interval; not at all when
/// MaxAge is zero.
/// </summary>
internal sealed class RetentionRunner(
    IEnumerable<IRetentionTarget> targets, IOptions<RetentionOptions> options, DatabaseLeases leases, TimeProvider time, ILogger<RetentionRunner> logger)
    : LeasedPeriodicJob(leases.For(LeaseName, options.Value.Interval), time, logger)
{
    public const string LeaseName = "session-retention";

    private readonly RetentionOptions _options = options.Value;

    protected override TimeSpan Interval => _options.Interval;

    protected override bool RunsAtStart => true;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            Logger.LogInformation("Retention is off ({Section}:MaxAge is 0): ended sessions and recordings are kept", RetentionOptions.Section);
            return Task.CompletedTask;
        }
        return base.ExecuteAsync(stoppingToken);
    }

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = Time.GetUtcNow() - _options.MaxAge;
        foreach (var target in targets)
        {
            var deleted = await InBatchesAsync(_options.BatchSize, token => target.DeleteEndedBeforeAsync(cutoff, _options.BatchSize, token), cancellationToken);
            if (deleted > 0)
            {
                Logger.LogInformation("Retention deleted {Count} {Target} that ended before {Cutoff:O}", deleted, target.Name, cutoff);
            }
        }
    }
}
