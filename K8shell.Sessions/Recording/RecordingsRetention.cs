using K8shell.Sessions.Records;
using Microsoft.Extensions.Options;

namespace K8shell.Sessions.Recording;

/// <summary>
/// The recordings' part of retention, run by the records' <see cref="RetentionRunner"/> with the ended sessions (one
/// cutoff, one lease, <c>Sessions:Retention</c>): deletes recordings (file, then rows) every stream of which completed
/// before the cutoff. A file open here is being written and is kept. Deleting twice deletes nothing more.
/// First it ends the recordings of connections whose session record ended (the proxy vanished, the janitor ended it)
/// more than <see cref="RecordingOptions.IdleTimeout"/> ago without EndRecordingSession, as that call would have:
/// otherwise they would never complete, and never be deleted.
/// </summary>
internal sealed class RecordingsRetention(
    RecordingCatalog catalog, RecordingDirectory directory, OpenRecordings recordings, IOptions<RecordingOptions> options, TimeProvider time,
    ILogger<RecordingsRetention> logger) : IRetentionTarget
{
    public string Name => "recordings";

    /// <summary>One batch: how many files it deleted (fewer than <paramref name="limit"/> when others are open here).</summary>
    public async Task<int> DeleteEndedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await EndAbandonedAsync(limit, cancellationToken);
        var deleted = 0;
        foreach (var (recordingId, path) in (await catalog.ExpiredFilesAsync(cutoff, limit, cancellationToken)).Where(file => !recordings.IsOpen(file.RecordingId)))
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
            deleted++;
        }
        return deleted;
    }

    private async Task EndAbandonedAsync(int limit, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - options.Value.IdleTimeout;
        // Connections with a stream open here are still written, or will be closed as idle and ended by a later round.
        foreach (var (sessionId, endedAt) in (await catalog.AbandonedAsync(before, limit, cancellationToken)).Where(session => !recordings.HasOpen(session.SessionId)))
        {
            var ended = await recordings.EndSessionAsync(sessionId, endedAt, cancellationToken);
            logger.LogInformation("Ended {Count} recordings of session {SessionId}, which ended at {EndedAt:u} without ending them", ended, sessionId, endedAt);
        }
    }
}
