using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// One epoll thread for every terminal master and child process (pidfd), as .NET's own socket
/// engine does for sockets: an idle shell costs no thread (a blocking read or waitpid would hold one
/// per session), and a read can be abandoned by closing the terminal. Edge-triggered: each readiness
/// event bumps a counter; a reader that saw EAGAIN waits only if no event came since.
/// </summary>
internal static class DescriptorPoller
{
    private static readonly ConcurrentDictionary<int, Registration> Registrations = new();
    private static readonly Lazy<int> Epoll = new(Start);

    /// <summary>Starts watching <paramref name="fd"/> (non-blocking from now on) until <see cref="Registration.Dispose"/>.</summary>
    public static unsafe Registration Register(int fd)
    {
        if (LibC.fcntl(fd, LibC.F_SETFL, LibC.fcntl(fd, LibC.F_GETFL, 0) | LibC.O_NONBLOCK) != 0)
        {
            throw new IOException($"fcntl O_NONBLOCK: {LibC.LastErrorText()}");
        }
        var registration = new Registration(fd);
        Registrations[fd] = registration;
        var ev = stackalloc byte[LibC.EpollEventSize];
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(ev, 4), LibC.EPOLLIN | LibC.EPOLLOUT | LibC.EPOLLET);
        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(ev + LibC.EpollDataOffset, 8), (ulong)fd);
        if (LibC.epoll_ctl(Epoll.Value, LibC.EPOLL_CTL_ADD, fd, ev) != 0)
        {
            Registrations.TryRemove(fd, out _);
            throw new IOException($"epoll_ctl: {LibC.LastErrorText()}");
        }
        return registration;
    }

    private static unsafe void Unwatch(int fd) => LibC.epoll_ctl(Epoll.Value, LibC.EPOLL_CTL_DEL, fd, null);

    private static int Start()
    {
        var epoll = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        if (epoll < 0)
        {
            throw new IOException($"epoll_create1: {LibC.LastErrorText()}");
        }
        new Thread(() => Poll(epoll)) { IsBackground = true, Name = "k8shelld poller" }.Start();
        return epoll;
    }

    private static unsafe void Poll(int epoll)
    {
        const int batch = 64;
        var events = (byte*)NativeMemory.Alloc((nuint)(batch * LibC.EpollEventSize));
        while (true)
        {
            var count = LibC.epoll_wait(epoll, events, batch, -1);
            for (var i = 0; i < count; i++)
            {
                var ev = events + (i * LibC.EpollEventSize);
                var flags = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(ev, 4));
                var fd = (int)BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(ev + LibC.EpollDataOffset, 8));
                if (Registrations.TryGetValue(fd, out var registration))
                {
                    // Errors and hang-ups wake both sides: the next read or write reports them.
                    var failed = (flags & (LibC.EPOLLERR | LibC.EPOLLHUP)) != 0;
                    registration.Signal(readable: failed || (flags & LibC.EPOLLIN) != 0, writable: failed || (flags & LibC.EPOLLOUT) != 0);
                }
            }
        }
    }

    /// <summary>One watched descriptor's readiness, for one reader and one writer at a time.</summary>
    internal sealed class Registration(int fd) : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly Readiness _readable = new();
        private readonly Readiness _writable = new();
        private bool _closed;

        /// <summary>Readiness events so far: read before trying, so a wait after EAGAIN cannot miss one.</summary>
        public long ReadEvents => Count(_readable);

        public long WriteEvents => Count(_writable);

        /// <summary>Waits for a readiness event after <paramref name="seen"/>; false once the descriptor is closed.</summary>
        public Task<bool> WaitReadableAsync(long seen, CancellationToken cancellationToken) => WaitAsync(_readable, seen, cancellationToken);

        public Task<bool> WaitWritableAsync(long seen, CancellationToken cancellationToken) => WaitAsync(_writable, seen, cancellationToken);

        public void Signal(bool readable, bool writable)
        {
            lock (_gate)
            {
                if (readable)
                {
                    _readable.Happen();
                }
                if (writable)
                {
                    _writable.Happen();
                }
            }
        }

        /// <summary>Stops watching (before the descriptor is closed) and wakes whoever waits.</summary>
        public void Dispose()
        {
            lock (_gate)
            {
                if (_closed)
                {
                    return; // once only: the number may belong to another terminal by now
                }
                _closed = true;
                _readable.Happen();
                _writable.Happen();
            }
            Registrations.TryRemove(new KeyValuePair<int, Registration>(fd, this));
            Unwatch(fd);
        }

        private long Count(Readiness readiness)
        {
            lock (_gate)
            {
                return readiness.Events;
            }
        }

        private async Task<bool> WaitAsync(Readiness readiness, long seen, CancellationToken cancellationToken)
        {
            Task waiting;
            lock (_gate)
            {
                if (_closed || readiness.Events != seen)
                {
                    return !_closed;
                }
                waiting = readiness.Wait();
            }
            await waiting.WaitAsync(cancellationToken);
            lock (_gate)
            {
                return !_closed;
            }
        }

        /// <summary>Events of one direction and whoever waits for the next.</summary>
        private sealed class Readiness
        {
            private TaskCompletionSource? _waiter;

            public long Events { get; private set; }

            public Task Wait() => (_waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

            public void Happen()
            {
                Events++;
                _waiter?.TrySetResult();
                _waiter = null;
            }
        }
    }
}
