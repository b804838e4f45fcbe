namespace K8shell.Sessions.Records;

/// <summary>
/// A job every replica schedules but only the holder of its <see cref="DatabaseLease"/> runs: each interval it
/// takes or renews the lease and, if it holds it, does its work in bounded batches. A failed round is logged and
/// the next interval tries again; stopping gives the lease up so another replica takes over at its next round.
/// </summary>
internal abstract class LeasedPeriodicJob(DatabaseLease lease, TimeProvider time, ILogger logger) : BackgroundService
{
    private bool _holding;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether the first round runs at start, or only after one interval.</summary>
    protected abstract bool RunsAtStart { get; }

    /// <summary>One round of work, done while this process holds the lease.</summary>
    protected abstract Task RunAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        if (RunsAtStart)
        {
            await RoundAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RoundAsync(stoppingToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="batch"/> (which handles at most <paramref name="batchSize"/> items and says how many) until a
    /// batch is not full, renewing the lease before each so a long run never outlives it; the total handled.
    /// </summary>
    protected async Task<long> InBatchesAsync(int batchSize, Func<CancellationToken, Task<int>> batch, CancellationToken cancellationToken)
    {
        long total = 0;
        int done;
        do
        {
            if (total > 0 && !await HoldsLeaseAsync(cancellationToken))
            {
                break;
            }
            done = await batch(cancellationToken);
            total += done;
        }
        while (done >= batchSize);
        return total;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_holding)
        {
            try
            {
                await lease.ReleaseAsync(cancellationToken);
                logger.LogInformation("Gave up the {Lease} lease", lease.Name);
            }
            catch (Exception failed) when (failed is not OperationCanceledException)
            {
                logger.LogWarning(failed, "Could not give up the {Lease} lease; another replica takes it when it expires", lease.Name);
            }
        }
    }

    private async Task RoundAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await HoldsLeaseAsync(stoppingToken))
            {
                await RunAsync(stoppingToken);
            }
        }
        catch (Exception failed) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(failed, "The {Lease} round failed; trying again in {Interval}", lease.Name, Interval);
        }
    }

    private async Task<bool> HoldsLeaseAsync(CancellationToken cancellationToken)
    {
        var holds = await lease.TryTakeAsync(cancellationToken);
        if (holds != _holding)
        {
            logger.LogInformation(holds ? "Took the {Lease} lease as {Holder}" : "Lost the {Lease} lease; another replica runs it",
                lease.Name, DatabaseLease.ThisProcess);
            _holding = holds;
        }
        return holds;
    }
}
