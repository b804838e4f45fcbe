using System.Data.Common;
using Microsoft.Extensions.Options;

namespace K8shell.Sessions.Recording;

/// <summary>
/// Deletes recordings (file, then rows) every stream of which completed more than <see cref="RetentionOptions.MaxAge"/>
/// ago, every <see cref="RetentionOptions.Interval"/>, in batches. A file open here is being written and is kept; a
/// failure is logged and the next sweep tries again. Safe with several replicas: deleting twice deletes nothing more.
/// First, each sweep ends the recordings of connections whose session record ended (the proxy vanished, the records'
/// janitor ended it) more than <see cref="RecordingOptions.IdleTimeout"/> ago without EndRecordingSession, as that
/// call would have: otherwise they would never complete, and never be deleted.
/// </summary>
internal sealed class RecordingRetention(
    RecordingCatalog catalog, RecordingDirectory directory, OpenRecordings recordings, IOptions<RetentionOptions> options,
    IOptions<RecordingOptions> recordingOptions, TimeProvider time, ILogger<RecordingRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception failure) when (failure is DbException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Recording retention: {Reason}; trying again in {Interval}", failure.Message, options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep; how many files it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await EndAbandonedAsync(cancellationToken);
        var cutoff = time.GetUtcNow() - options.Value.MaxAge;
        var deleted = 0;
        while (true)
        {
            var expired = await catalog.ExpiredFilesAsync(cutoff, options.Value.BatchSize, cancellationToken);
            var deletedNow = 0;
            foreach (var (recordingId, path) in expired.Where(file => !recordings.IsOpen(file.RecordingId)))
            {
                // The file first: rows without a file are answered 404 and deleted next time; a file without rows would stay forever.
                try
                {
                    File.Delete(directory.FullPath(path));
                }
                catch (DirectoryNotFoundException)
                {
                    // Gone with its folder: nothing to delete.
                }
                await catalog.DeleteFileAsync(recordingId, cutoff, cancellationToken);
                deletedNow++;
            }
            deleted += deletedNow;
            // A short batch was the last; a batch of only open files would come back the same.
            if (expired.Count < options.Value.BatchSize || deletedNow == 0)
            {
                break;
            }
        }
        if (deleted > 0)
        {
            logger.LogInformation("Recording retention deleted {Count} recordings completed before {Cutoff:u}", deleted, cutoff);
        }
        return deleted;
    }

    private async Task EndAbandonedAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - recordingOptions.Value.IdleTimeout;
        // Connections with a stream open here are still written, or will be closed as idle and ended by a later sweep.
        foreach (var (sessionId, endedAt) in (await catalog.AbandonedAsync(before, options.Value.BatchSize, cancellationToken)).Where(s => !recordings.HasOpen(s.SessionId)))
        {
            var ended = await recordings.EndSessionAsync(sessionId, endedAt, cancellationToken);
            logger.LogInformation("Ended {Count} recordings of session {SessionId}, which ended at {EndedAt:u} without ending them", ended, sessionId, endedAt);
        }
    }
}
