using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// A pseudo-terminal master as a stream, non-blocking and driven by the <see cref="DescriptorPoller"/>.
/// When the last process holding the terminal exits, Linux fails reads with EIO rather than returning
/// 0: that is the end of the session's output. Disposing ends a pending read with 0 as well.
/// </summary>
internal sealed class TerminalStream : Stream
{
    private readonly SafeFileHandle _master;
    private readonly DescriptorPoller.Registration _readiness;

    public TerminalStream(SafeFileHandle master)
    {
        _master = master;
        _readiness = DescriptorPoller.Register((int)master.DangerousGetHandle());
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var seen = _readiness.ReadEvents;
            if (Transfer(buffer, reading: true) is { } read)
            {
                return read;
            }
            if (!await _readiness.WaitReadableAsync(seen, cancellationToken))
            {
                return 0;
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var seen = _readiness.WriteEvents;
            if (Transfer(MemoryMarshal.AsMemory(buffer), reading: false) is { } written)
            {
                buffer = buffer[written..];
            }
            else if (!await _readiness.WaitWritableAsync(seen, cancellationToken))
            {
                throw new IOException("the terminal is closed");
            }
        }
    }

    /// <summary>
    /// One read or write; null when the terminal is not ready (EAGAIN). A hung-up or closed terminal
    /// reads as the end (0) and cannot be written to.
    /// </summary>
    private unsafe int? Transfer(Memory<byte> buffer, bool reading)
    {
        while (true)
        {
            nint result;
            try
            {
                fixed (byte* pointer = buffer.Span)
                {
                    result = reading ? LibC.read(_master, pointer, buffer.Length) : LibC.write(_master, pointer, buffer.Length);
                }
            }
            catch (ObjectDisposedException)
            {
                return reading ? 0 : throw new IOException("the terminal is closed");
            }
            if (result >= 0)
            {
                return (int)result;
            }
            switch (Marshal.GetLastPInvokeError())
            {
                case LibC.EINTR:
                    continue;
                case LibC.EAGAIN:
                    return null;
                case LibC.EIO when reading:
                    return 0;
                case var errno:
                    throw new IOException($"{(reading ? "read from" : "write to")} the terminal: {LibC.ErrorText(errno)}");
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Unwatch first: the descriptor number may be reused as soon as it is closed.
            _readiness.Dispose();
            _master.Dispose();
        }
        base.Dispose(disposing);
    }
}
