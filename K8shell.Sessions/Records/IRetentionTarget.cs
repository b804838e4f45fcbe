namespace K8shell.Sessions.Records;

/// <summary>
/// Something the retention runner deletes when it is older than <see cref="RetentionOptions.MaxAge"/>: ended
/// sessions, recordings and their files. Register each as a singleton <see cref="IRetentionTarget"/>; they run
/// in registration order under one lease.
/// </summary>
internal interface IRetentionTarget
{
    /// <summary>What it deletes, for the log ("ended sessions").</summary>
    string Name { get; }

    /// <summary>Deletes at most <paramref name="limit"/> items that ended before <paramref name="cutoff"/>, oldest first; how many it deleted.</summary>
    Task<int> DeleteEndedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);
}
