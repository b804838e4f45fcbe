using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using K8shell.Ssh.Transport.Packets;

namespace K8shell.Ssh.Connection;

/// <summary>
/// Channel data received and not yet read: the packets themselves, queued as they arrived, so the
/// bytes are copied once (packet → reader's buffer) and nothing is allocated per packet. One reader
/// at a time, like a stream; the channel's window bounds what can queue up.
/// </summary>
internal sealed class ChannelInbox : IValueTaskSource<bool>
{
    private readonly Queue<SshPacket> _packets = new();
    private ManualResetValueTaskSourceCore<bool> _arrival = new() { RunContinuationsAsynchronously = true };
    private int _readOffset;
    private bool _waiting;
    private bool _completed;

    /// <summary>Queues <paramref name="data"/>, whose buffer the inbox now owns; dropped if the inbox is complete.</summary>
    public void Add(SshPacket data)
    {
        lock (_packets)
        {
            if (_completed)
            {
                data.Dispose();
                return;
            }
            _packets.Enqueue(data);
            WakeReaderLocked();
        }
    }

    /// <summary>No more data: the reader sees the end once the queue is drained.</summary>
    public void Complete()
    {
        lock (_packets)
        {
            _completed = true;
            WakeReaderLocked();
        }
    }

    /// <summary>Copies queued data into <paramref name="buffer"/>; 0 means the end.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Data already queued (the common case during a transfer) is taken under one lock, without waiting.
            lock (_packets)
            {
                if (_packets.Count > 0 || _completed)
                {
                    return TakeLocked(buffer.Span);
                }
            }
            await WaitToReadAsync(cancellationToken);
        }
    }

    /// <summary>Returns once data is queued or the end has come, so a reader can take a buffer only when there is something to put in it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ValueTask<bool> arrival;
            lock (_packets)
            {
                if (_packets.Count > 0 || _completed)
                {
                    return;
                }
                _arrival.Reset();
                _waiting = true;
                arrival = new ValueTask<bool>(this, _arrival.Version);
            }
            using (cancellationToken.UnsafeRegister(static inbox => ((ChannelInbox)inbox!).Cancel(), this))
            {
                await arrival;
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private int TakeLocked(Span<byte> buffer)
    {
        var copied = 0;
        while (copied < buffer.Length && _packets.TryPeek(out var head))
        {
            var available = head.Payload[_readOffset..];
            var count = Math.Min(available.Length, buffer.Length - copied);
            available[..count].CopyTo(buffer[copied..]);
            copied += count;
            _readOffset += count;
            if (_readOffset == head.Payload.Length)
            {
                _packets.Dequeue().Dispose();
                _readOffset = 0;
            }
        }
        return copied;
    }

    private void WakeReaderLocked()
    {
        if (_waiting)
        {
            _waiting = false;
            _arrival.SetResult(true);
        }
    }

    /// <summary>The reader gave up waiting: wake it so it can throw.</summary>
    private void Cancel()
    {
        lock (_packets)
        {
            WakeReaderLocked();
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _arrival.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _arrival.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _arrival.OnCompleted(continuation, state, token, flags);
}
