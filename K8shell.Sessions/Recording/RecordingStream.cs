using Grpc.Core;

namespace K8shell.Sessions.Recording;

/// <summary>
/// One recorded channel while its file is open in this process. One call writes it at a time (<see cref="Calls"/>);
/// a newer call for the same stream (the proxy resuming after a cut) stops the older one and takes over.
/// <see cref="Accepted"/> and the fields after it change only under the file's gate.
/// </summary>
internal sealed class RecordingStream(RecordingRow row, OpenRecording file)
{
    private readonly Lock _sync = new();
    private CancellationTokenSource? _call;
    private Status? _stopped;

    public string StreamId { get; } = row.StreamId;

    public string SessionId { get; } = row.SessionId;

    public string Username { get; } = row.Username;

    public string Kind { get; } = row.Kind;

    public DateTimeOffset StartedAt { get; } = row.StartedAt;

    public OpenRecording File { get; } = file;

    /// <summary>The highest sequence written to the file; frames at or below it are repeats and are ignored.</summary>
    public ulong Accepted { get; set; } = row.LastSequence;

    public ulong DroppedBytes { get; set; } = row.DroppedBytes;

    /// <summary>Set when the stream is completed: nothing more is accepted.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    public bool Completed => EndedAt is not null;

    /// <summary>Its file was closed: a call that waited for it must look it up again.</summary>
    public volatile bool Removed;

    /// <summary>Held by the call writing the stream.</summary>
    public SemaphoreSlim Calls { get; } = new(1, 1);

    /// <summary>Starts a call (the caller holds <see cref="Calls"/>): its frames are read until the client goes or another call stops it.</summary>
    public CancellationToken BeginCall(CancellationToken clientGone)
    {
        lock (_sync)
        {
            _call = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
            _stopped = null;
            return _call.Token;
        }
    }

    /// <summary>Why the current call was stopped, if it was: the status it ends with.</summary>
    public Status? StoppedBecause
    {
        get
        {
            lock (_sync)
            {
                return _stopped;
            }
        }
    }

    /// <summary>Stops the call writing the stream, if any, so it ends with <paramref name="status"/>.</summary>
    public void StopCall(Status status)
    {
        CancellationTokenSource? call;
        lock (_sync)
        {
            call = _call;
            if (call is null || _stopped is not null)
            {
                return;
            }
            _stopped = status;
        }
        try
        {
            // Outside the lock: cancelling runs the call's callbacks here.
            call.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended meanwhile: nothing left to stop.
        }
    }

    public void EndCall()
    {
        lock (_sync)
        {
            _call?.Dispose();
            _call = null;
        }
    }
}
