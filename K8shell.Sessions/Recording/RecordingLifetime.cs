using Microsoft.Extensions.Options;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Open recordings over the process's life: idle files are saved and closed as they go quiet; when Sessions stops,
/// calls still streaming are told to resume later (before the server waits for them) and every file is saved and closed.
/// </summary>
internal sealed class RecordingLifetime(OpenRecordings recordings, IOptions<RecordingOptions> options, IHostApplicationLifetime lifetime,
    TimeProvider time, ILogger<RecordingLifetime> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.JwksUrl is null)
        {
            logger.LogWarning("Recording calls are refused: set {Section}:JwksUrl or services:identity:http:0 to check their user tokens", RecordingOptions.Section);
        }
        lifetime.ApplicationStopping.Register(recordings.StopCalls);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await recordings.CloseAllAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = options.Value.IdleTimeout;
        // Often enough that a file closes soon after it went quiet, rarely enough to cost nothing.
        var every = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        using var timer = new PeriodicTimer(every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await recordings.CloseIdleAsync(idle, stoppingToken);
        }
    }
}
