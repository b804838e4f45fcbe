using Microsoft.Extensions.Options;

namespace K8shell.Shield.State;

/// <summary>Every <c>GcInterval</c>, drops idle and surplus address records so the state bucket stays bounded.</summary>
internal sealed partial class StateCollector(
    ShieldState state,
    IOptions<ShieldOptions> options,
    TimeProvider time,
    ILogger<StateCollector> logger) : BackgroundService
{
    private readonly ShieldOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.GcInterval == TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(_options.GcInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var dropped = await state.CollectAsync(time.GetUtcNow(), stoppingToken);
                    LogCollected(logger, dropped);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Replicas all collect; a missed round only leaves state for the next one.
                    LogCollectFailed(logger, exception, _options.GcInterval);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shield: dropped {Dropped} idle or surplus address records")]
    private static partial void LogCollected(ILogger logger, int dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shield: collecting address records failed; trying again in {GcInterval}")]
    private static partial void LogCollectFailed(ILogger logger, Exception exception, TimeSpan gcInterval);
}
