using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>
/// The recordings a session's record lists (<c>Session.recordings</c>). Records only read them; the recording
/// streams write them, so the seam lets their catalog answer instead of <see cref="RecordingsOfSessions"/>.
/// </summary>
internal interface ISessionRecordings
{
    /// <summary>Recordings by session ID, oldest first; sessions without any are missing from the answer.</summary>
    Task<IReadOnlyDictionary<string, List<RecordingInfo>>> ListAsync(IReadOnlyCollection<string> sessionIds, CancellationToken cancellationToken);
}
