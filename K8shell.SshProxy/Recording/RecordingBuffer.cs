using K8shell.Contracts.Sessions.V1;

namespace K8shell.SshProxy.Recording;

/// <summary>One numbered frame of a recording: a chunk, a resize or a gap.</summary>
internal readonly record struct BufferedFrame(ulong Sequence, DataChunk? Chunk = null, TerminalResize? Resize = null, RecordingGap? Gap = null)
{
    /// <summary>What a frame costs besides its bytes, so a flood of tiny frames fills the buffer too.</summary>
    public const int Overhead = 32;

    public long Size => (Chunk?.Data.Length ?? 0) + Overhead;
}

/// <summary>
/// The frames of one recording that Sessions has not confirmed on disk, numbered 1, 2, 3…, bounded by
/// <c>capacity</c> bytes. Frames stay after they are sent, until Sessions says it has them (a call's ack or
/// GetRecordingState), so a stream cut before Sessions saved them can send them again. A frame that does not fit is
/// dropped and counted; the next frame that fits, or the next send, is preceded by a gap saying how much was lost.
/// Thread-safe: the channel adds, the recording's drain takes and confirms.
/// </summary>
internal sealed class RecordingBuffer(long capacity)
{
    private readonly Lock _sync = new();
    private readonly List<BufferedFrame> _frames = [];
    private int _head;
    private long _bytes;
    private ulong _nextSequence = 1;
    private ulong _sent;
    private ulong _droppedBytes;
    private uint _droppedFrames;

    /// <summary>Frames added and not yet confirmed.</summary>
    public bool HasUnconfirmed
    {
        get
        {
            lock (_sync)
            {
                return _head < _frames.Count;
            }
        }
    }

    /// <summary>Bytes held now (frames' data and overheads).</summary>
    public long Bytes
    {
        get
        {
            lock (_sync)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Adds a chunk or a resize unless the buffer is full; false when it was dropped.</summary>
    public bool Add(ulong offsetMs, DataChunk? chunk = null, TerminalResize? resize = null)
    {
        lock (_sync)
        {
            var frame = new BufferedFrame(0, chunk, resize);
            if (_bytes + frame.Size > capacity)
            {
                _droppedBytes += (ulong)(chunk?.Data.Length ?? 0);
                _droppedFrames++;
                return false;
            }
            AppendGap(offsetMs);
            Append(frame);
            return true;
        }
    }

    /// <summary>Up to <paramref name="max"/> frames not yet sent on the current call, oldest first; a pending gap is added first.</summary>
    public IReadOnlyList<BufferedFrame> TakeUnsent(int max, ulong offsetMs)
    {
        lock (_sync)
        {
            AppendGap(offsetMs);
            var start = _head + (int)(_sent + 1 - FirstSequence);
            var taken = _frames.GetRange(start, Math.Min(max, _frames.Count - start));
            if (taken.Count > 0)
            {
                _sent = taken[^1].Sequence;
            }
            return taken;
        }
    }

    /// <summary>Sessions has every frame up to <paramref name="persisted"/> on disk: they are let go.</summary>
    public void Confirm(ulong persisted)
    {
        lock (_sync)
        {
            while (_head < _frames.Count && _frames[_head].Sequence <= persisted)
            {
                _bytes -= _frames[_head].Size;
                _head++;
            }
            _sent = Math.Max(_sent, FirstSequence - 1);
            if (_head > 1024 && _head * 2 > _frames.Count)
            {
                _frames.RemoveRange(0, _head);
                _head = 0;
            }
        }
    }

    /// <summary>A new call starts: every frame kept is to be sent on it.</summary>
    public void Rewind()
    {
        lock (_sync)
        {
            _sent = FirstSequence - 1;
        }
    }

    /// <summary>The sequence of the oldest frame kept (the next to be added when none is).</summary>
    private ulong FirstSequence => _head < _frames.Count ? _frames[_head].Sequence : _nextSequence;

    private void AppendGap(ulong offsetMs)
    {
        if (_droppedFrames == 0)
        {
            return;
        }
        Append(new BufferedFrame(0, Gap: new RecordingGap
        {
            TimeOffsetMs = offsetMs,
            DroppedBytes = _droppedBytes,
            DroppedFrames = _droppedFrames,
            Reason = $"the proxy's recording buffer ({capacity} bytes) was full: Sessions was unreachable or slower than the channel",
        }));
        (_droppedBytes, _droppedFrames) = (0, 0);
    }

    private void Append(BufferedFrame frame)
    {
        _frames.Add(frame with { Sequence = _nextSequence++ });
        _bytes += frame.Size;
    }
}
