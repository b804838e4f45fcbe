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
        _readiness = DescriptorPoller.Register(Descriptor);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    private int Descriptor => (int)_master.DangerousGetHandle();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var seen = _readiness.ReadEvents;
            if (TryRead(buffer.Span, out var read))
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
            if (TryWrite(buffer.Span, out var written))
            {
                buffer = buffer[written..];
                continue;
            }
            if (!await _readiness.WaitWritableAsync(seen, cancellationToken))
            {
                throw new IOException("the terminal is closed");
            }
        }
    }

    /// <summary>False when the terminal has nothing yet (EAGAIN); a hung-up terminal reads as the end (0).</summary>
    private unsafe bool TryRead(Span<byte> buffer, out int read)
    {
        while (true)
        {
            if (_master.IsClosed)
            {
                read = 0;
                return true;
            }
            nint result;
            fixed (byte* pointer = buffer)
            {
                result = LibC.read(Descriptor, pointer, buffer.Length);
            }
            if (result >= 0)
            {
                read = (int)result;
                return true;
            }
            switch (Marshal.GetLastPInvokeError())
            {
                case LibC.EINTR:
                    continue;
                case LibC.EAGAIN:
                    read = 0;
                    return false;
                case LibC.EIO:
                    read = 0;
                    return true;
                case var errno:
                    throw new IOException($"read from the terminal: {LibC.ErrorText(errno)}");
            }
        }
    }

    private unsafe bool TryWrite(ReadOnlySpan<byte> buffer, out int written)
    {
        while (true)
        {
            if (_master.IsClosed)
            {
                throw new IOException("the terminal is closed");
            }
            nint result;
            fixed (byte* pointer = buffer)
            {
                result = LibC.write(Descriptor, pointer, buffer.Length);
            }
            if (result >= 0)
            {
                written = (int)result;
                return true;
            }
            switch (Marshal.GetLastPInvokeError())
            {
                case LibC.EINTR:
                    continue;
                case LibC.EAGAIN:
                    written = 0;
                    return false;
                case var errno:
                    throw new IOException($"write to the terminal: {LibC.ErrorText(errno)}");
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
