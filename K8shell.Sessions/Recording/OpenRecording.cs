using Grpc.Core;

namespace K8shell.Sessions.Recording;

/// <summary>
/// One recording file open for writing, with the streams it holds (one for a terminal, the forwards of a connection
/// to one destination for a capture). Frames are applied under <see cref="Gate"/>, one at a time, each whole or not
/// at all. A checkpoint takes, under the same gate, the file's length and every stream's sequence and writer state
/// at one instant, puts the file on disk, then saves them in the catalog: what the catalog says is always on disk,
/// and a file reopened after a restart is cut back to that length and continued from that state. Checkpoints run
/// within <see cref="Checkpoints.Interval"/> of a frame, when a call ends, when a resume asks where it stands, and when
/// the file closes.
/// </summary>
internal abstract class OpenRecording
{
    private readonly Checkpoints _checkpoints;
    private readonly SemaphoreSlim _checkpointing = new(1, 1);
    private readonly ITimer _timer;
    private bool _dirty;
    private bool _timerArmed;
    private int _activeCalls;
    private long _lastActivity;

    protected OpenRecording(RecordingFile file, string path, string recordingId, string sessionId, Checkpoints checkpoints)
    {
        File = file;
        Path = path;
        RecordingId = recordingId;
        SessionId = sessionId;
        _checkpoints = checkpoints;
        _lastActivity = checkpoints.Time.GetTimestamp();
        _timer = checkpoints.Time.CreateTimer(_ => _ = CheckpointFromTimerAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public RecordingFile File { get; }

    /// <summary>Relative to the recordings folder, as the catalog keeps it.</summary>
    public string Path { get; }

    public string RecordingId { get; }

    public string SessionId { get; }

    /// <summary>Serializes frames, snapshots and ends.</summary>
    protected SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The streams written to the file and not yet saved as completed; changed under <see cref="Gate"/>.</summary>
    protected List<RecordingStream> Streams { get; } = [];

    /// <summary>Closed (ended, idle, shutting down, failed): frames are refused.</summary>
    private bool Closed { get; set; }

    /// <summary>Why writing failed, when it did: later frames for any of its streams get the same answer.</summary>
    private Status? Fault { get; set; }

    /// <summary>No call has written to it for <paramref name="idle"/>.</summary>
    public bool IdleFor(TimeSpan idle) => Volatile.Read(ref _activeCalls) == 0 && _checkpoints.Time.GetElapsedTime(Volatile.Read(ref _lastActivity)) >= idle;

    public void CallStarted() => Interlocked.Increment(ref _activeCalls);

    public void CallEnded()
    {
        Volatile.Write(ref _lastActivity, _checkpoints.Time.GetTimestamp());
        Interlocked.Decrement(ref _activeCalls);
    }

    /// <summary>Writes a frame of <paramref name="stream"/> unless it is a repeat; InvalidArgument when frames are missing before it.</summary>
    public async ValueTask ApplyAsync(RecordingStream stream, IncomingFrame frame, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed(stream);
            if (frame.Sequence <= stream.Accepted)
            {
                return;
            }
            if (frame.Sequence != stream.Accepted + 1)
            {
                throw RecordingFrames.Invalid($"expected sequence {stream.Accepted + 1}, got {frame.Sequence}");
            }
            if (frame is { Chunk: null, Resize: null, Gap: null })
            {
                throw RecordingFrames.Invalid($"frame {frame.Sequence} carries no chunk, resize or gap");
            }
            await WriteAsync(stream, frame, cancellationToken);
            stream.Accepted = frame.Sequence;
            if (frame.Gap is { } gap)
            {
                stream.DroppedBytes += gap.DroppedBytes;
            }
            MarkDirty();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Ends a stream whose call finished (a terminal's last event, a forward's FIN) and saves it as completed.</summary>
    public async Task CompleteAsync(RecordingStream stream, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfClosed(stream);
            await EndStreamAsync(stream, endedAt);
            stream.EndedAt = endedAt;
            MarkDirty();
        }
        finally
        {
            Gate.Release();
        }
        await CheckpointAsync(cancellationToken);
    }

    /// <summary>Ends every stream still open at <paramref name="endedAt"/>, then the file, and closes it; how many streams it ended.</summary>
    public async Task<int> EndAsync(DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        var ended = 0;
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (Closed)
            {
                return 0;
            }
            foreach (var stream in Streams.Where(stream => !stream.Completed))
            {
                await EndStreamAsync(stream, endedAt);
                stream.EndedAt = endedAt;
                ended++;
            }
            await EndFileAsync(endedAt);
            MarkDirty();
        }
        finally
        {
            Gate.Release();
        }
        await CloseAsync(cancellationToken);
        return ended;
    }

    /// <summary>Saves where the file stands and closes it; its streams stay resumable from there.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        Closed = true;
        Gate.Release();
        try
        {
            if (Fault is null)
            {
                await CheckpointAsync(cancellationToken);
            }
        }
        finally
        {
            _timer.Dispose();
            await File.DisposeAsync();
        }
    }

    /// <summary>Writing failed (<paramref name="status"/> says why): closes the file without saving, as it is cut back to its last complete record.</summary>
    public async Task FailAsync(Status status)
    {
        await Gate.WaitAsync();
        Fault = status;
        Closed = true;
        Gate.Release();
        _timer.Dispose();
        await File.DisposeAsync();
    }

    /// <summary>Puts what was written on disk and saves where each stream stands; nothing when nothing changed.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        await _checkpointing.WaitAsync(cancellationToken);
        try
        {
            long length;
            List<StreamProgress> progress;
            await Gate.WaitAsync(cancellationToken);
            try
            {
                if (!_dirty || Fault is not null)
                {
                    return;
                }
                length = File.Length;
                var states = await StatesAsync(length, cancellationToken);
                progress = [.. Streams.Select((stream, i) => new StreamProgress(stream.StreamId, stream.Accepted, stream.DroppedBytes, states[i].ToJson(), stream.EndedAt))];
                _dirty = false;
            }
            finally
            {
                Gate.Release();
            }
            try
            {
                // Everything up to `length` reaches the disk before the catalog says it is there.
                await File.FlushAsync(toDisk: true, cancellationToken);
                await _checkpoints.Catalog.SaveAsync(RecordingId, length, progress, cancellationToken);
            }
            catch
            {
                _dirty = true;
                throw;
            }
            await ForgetCompletedAsync(progress);
        }
        finally
        {
            _checkpointing.Release();
        }
    }

    /// <summary>Records one frame (the caller holds <see cref="Gate"/> and checked its sequence).</summary>
    protected abstract ValueTask WriteAsync(RecordingStream stream, IncomingFrame frame, CancellationToken cancellationToken);

    /// <summary>Each of <see cref="Streams"/>' state for resuming, the file being <paramref name="length"/> bytes long (under <see cref="Gate"/>).</summary>
    protected abstract ValueTask<ResumeState[]> StatesAsync(long length, CancellationToken cancellationToken);

    /// <summary>Ends one stream in the file (under <see cref="Gate"/>).</summary>
    protected abstract ValueTask EndStreamAsync(RecordingStream stream, DateTimeOffset endedAt);

    /// <summary>Ends the file once its streams are ended (under <see cref="Gate"/>).</summary>
    protected abstract ValueTask EndFileAsync(DateTimeOffset endedAt);

    /// <summary>A completed stream left the checkpoints: the writer may drop what it kept for it (under <see cref="Gate"/>).</summary>
    protected virtual void Forget(RecordingStream stream)
    {
    }

    /// <summary>A change to save: a checkpoint within the flush interval (the caller holds <see cref="Gate"/>).</summary>
    protected void MarkDirty()
    {
        _dirty = true;
        if (!_timerArmed && !Closed)
        {
            _timerArmed = true;
            _timer.Change(_checkpoints.Interval, Timeout.InfiniteTimeSpan);
        }
    }

    private void ThrowIfClosed(RecordingStream stream)
    {
        if (Fault is { } fault)
        {
            throw new RpcException(fault);
        }
        if (Closed || stream.Removed)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"the recording file of stream {stream.StreamId} was closed meanwhile; resume the stream"));
        }
        if (stream.Completed)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the recording of stream {stream.StreamId} is completed"));
        }
    }

    /// <summary>Completed streams saved as such never change again: they leave the checkpoints.</summary>
    private async Task ForgetCompletedAsync(List<StreamProgress> saved)
    {
        if (!saved.Any(progress => progress.Completed))
        {
            return;
        }
        await Gate.WaitAsync();
        try
        {
            foreach (var stream in Streams.Where(stream => saved.Any(progress => progress.StreamId == stream.StreamId && progress.Completed)).ToList())
            {
                Streams.Remove(stream);
                Forget(stream);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task CheckpointFromTimerAsync()
    {
        await Gate.WaitAsync();
        _timerArmed = false;
        Gate.Release();
        try
        {
            await CheckpointAsync(CancellationToken.None);
        }
        catch (Exception failure) when (failure is IOException or System.Data.Common.DbException or ObjectDisposedException)
        {
            // The file's failure reaches the call writing it with its next frame; the catalog's is retried with the next checkpoint.
            _checkpoints.Logger.LogWarning("Could not save where recording {RecordingId} ({Path}) stands: {Reason}", RecordingId, Path, failure.Message);
        }
    }
}

/// <summary>Where and how often open recordings save where they stand (<see cref="RecordingOptions.CheckpointInterval"/>).</summary>
internal sealed record Checkpoints(RecordingCatalog Catalog, TimeProvider Time, TimeSpan Interval, ILogger Logger);
