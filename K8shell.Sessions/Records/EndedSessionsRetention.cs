namespace K8shell.Sessions.Records;

/// <summary>Ended sessions' records. Their recordings are a target of their own.</summary>
internal sealed class EndedSessionsRetention(SessionStore store) : IRetentionTarget
{
    public string Name => "ended sessions";

    public Task<int> DeleteEndedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken) =>
        store.DeleteEndedBeforeAsync(cutoff, limit, cancellationToken);
}
