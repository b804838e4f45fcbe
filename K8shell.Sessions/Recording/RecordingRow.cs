namespace K8shell.Sessions.Recording;

/// <summary>
/// One recorded channel as the <c>recordings</c> table keeps it. <see cref="Path"/> is relative to the recordings
/// folder and shared by the forwards of a connection to one destination, which share <see cref="RecordingId"/> too;
/// <see cref="LastSequence"/> and <see cref="ResumeState"/> say where the file stood when it was last on disk.
/// </summary>
internal sealed record RecordingRow(
    string StreamId,
    string SessionId,
    string Username,
    string Kind,
    string Format,
    string RecordingId,
    string Path,
    long SizeBytes,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    ulong LastSequence,
    bool Completed,
    ulong DroppedBytes,
    string? ResumeState);

/// <summary>What a checkpoint saves of one stream: the frames on disk, and what the writer needs to continue after them.</summary>
internal sealed record StreamProgress(string StreamId, ulong LastSequence, ulong DroppedBytes, string? ResumeState, DateTimeOffset? EndedAt)
{
    public bool Completed => EndedAt is not null;
}
