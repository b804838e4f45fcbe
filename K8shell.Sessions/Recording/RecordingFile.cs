using System.Buffers;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace K8shell.Sessions.Recording;

/// <summary>
/// One recording on disk, written through a small buffer that reaches the disk (fsync) within
/// <see cref="FlushInterval"/> of a record's arrival, so a crash loses at most the last second.
/// Records are written whole: when a write fails (disk full) the file is cut back to its last complete
/// record, stays valid for asciinema and tshark, and every later call throws the same error.
/// Safe for concurrent callers; each record is appended atomically with respect to the others.
/// </summary>
internal sealed class RecordingFile : IRecordingSink
{
    /// <summary>The most a recorded byte waits in memory before it is on disk.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private const int BufferSize = 64 * 1024;

    private readonly FileStream _file;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private byte[]? _buffer;
    private int _buffered;
    private long _written;
    private long _unsyncedSince;
    private ExceptionDispatchInfo? _fault;
    private bool _closed;

    private RecordingFile(string path, FileStream file, TimeProvider time, long length = 0)
    {
        Path = path;
        _file = file;
        _time = time;
        _written = length;
        _timer = time.CreateTimer(_ => _ = FlushFromTimerAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Path { get; }

    /// <summary>Bytes recorded so far, whether still buffered or already in the file.</summary>
    public long Length => Volatile.Read(ref _written) + Volatile.Read(ref _buffered);

    /// <summary>Creates a new file, readable only by the service; never opens or follows an existing one.</summary>
    public static RecordingFile Create(string path, TimeProvider? time = null)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        var file = new FileStream(path, options);
        return new RecordingFile(path, file, time ?? TimeProvider.System);
    }

    /// <summary>
    /// Opens a recording to continue it after its first <paramref name="length"/> bytes, the part known to end with a
    /// complete record; anything after them (a torn record, records whose place was never saved) is cut off.
    /// <see cref="FileNotFoundException"/> when it is gone, <see cref="InvalidDataException"/> when it is shorter.
    /// </summary>
    public static RecordingFile OpenForAppend(string path, long length, TimeProvider? time = null)
    {
        var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 });
        try
        {
            if (file.Length < length)
            {
                throw new InvalidDataException($"{path} holds {file.Length} bytes, fewer than the {length} recorded as written.");
            }
            file.SetLength(length);
            file.Position = length;
        }
        catch
        {
            file.Dispose();
            throw;
        }
        return new RecordingFile(path, file, time ?? TimeProvider.System, length);
    }

    public async ValueTask WriteRecordAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfUnusable();
            if (_buffered + record.Length > BufferSize)
            {
                await WriteBufferAsync();
            }
            if (record.Length > BufferSize)
            {
                await WriteToFileAsync(record);
            }
            else
            {
                _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
                record.Span.CopyTo(_buffer.AsSpan(_buffered));
                Volatile.Write(ref _buffered, _buffered + record.Length);
            }

            if (_unsyncedSince == 0)
            {
                _unsyncedSince = _time.GetTimestamp();
                _timer.Change(FlushInterval, Timeout.InfiniteTimeSpan);
            }
            else if (_time.GetElapsedTime(_unsyncedSince) >= FlushInterval)
            {
                // The timer is late (a busy thread pool): keep the one-second promise here.
                await FlushCoreAsync(toDisk: true);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask FlushAsync(bool toDisk, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            ThrowIfUnusable();
            await FlushCoreAsync(toDisk);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Flushes to disk and closes. Throws what went wrong if the file had failed (it is closed all the same),
    /// so an error the flush timer met is never lost.
    /// </summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_closed)
            {
                return;
            }
            try
            {
                _fault?.Throw();
                await FlushCoreAsync(toDisk: true);
            }
            finally
            {
                Release();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes without throwing, after a best-effort flush; use <see cref="CloseAsync"/> to learn of errors.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync(CancellationToken.None);
        }
        catch (IOException)
        {
            // The file was cut back to its last complete record; the caller saw or chose not to see why.
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _fault?.Throw();
    }

    private async ValueTask FlushCoreAsync(bool toDisk)
    {
        await WriteBufferAsync();
        if (toDisk && _unsyncedSince != 0)
        {
            try
            {
                _file.Flush(flushToDisk: true);
            }
            catch (IOException exception)
            {
                throw Fail(exception);
            }
            _unsyncedSince = 0;
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private async ValueTask WriteBufferAsync()
    {
        if (_buffered == 0)
        {
            return;
        }
        Debug.Assert(_buffer is not null);
        await WriteToFileAsync(_buffer.AsMemory(0, _buffered));
        Volatile.Write(ref _buffered, 0);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    private async ValueTask WriteToFileAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            // Never cancelled half-way: a write either lands whole or fails and is cut back.
            await _file.WriteAsync(bytes, CancellationToken.None);
        }
        catch (IOException exception)
        {
            throw Fail(exception);
        }
        Volatile.Write(ref _written, _written + bytes.Length);
    }

    /// <summary>Cuts the file back to its last complete record and remembers the failure for every later call.</summary>
    private IOException Fail(IOException exception)
    {
        try
        {
            _file.SetLength(_written);
            _file.Position = _written;
        }
        catch (IOException)
        {
            // Truncating frees space and rarely fails; if it does, readers stop at the torn record.
        }
        Volatile.Write(ref _buffered, 0);
        var fault = RecordingDiskFullException.IsDiskFull(exception) ? new RecordingDiskFullException(Path, exception) : exception;
        _fault = ExceptionDispatchInfo.Capture(fault);
        return fault;
    }

    private async Task FlushFromTimerAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (!_closed && _fault is null)
            {
                await FlushCoreAsync(toDisk: true);
            }
        }
        catch (IOException)
        {
            // Remembered in _fault; the next write, flush or close reports it to the caller.
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Release()
    {
        _closed = true;
        _timer.Dispose();
        _file.Dispose();
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
