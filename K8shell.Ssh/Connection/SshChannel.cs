using System.Runtime.CompilerServices;
using System.Threading.Channels;
using K8shell.Ssh.Transport.Packets;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Connection;

/// <summary>
/// One open channel (RFC 4254 §5): a duplex byte stream with its own request stream. Incoming data
/// never exceeds the window we granted, and the window is re-opened only as the host reads, so a
/// slow consumer slows the client instead of filling memory. Writes wait for the peer's window.
/// </summary>
public sealed class SshChannel
{
    /// <summary>The window we grant (SPEC.md §2: 2 MiB per channel).</summary>
    public const uint LocalWindowSize = 2 * 1024 * 1024;

    /// <summary>The largest data packet we accept (well under the 256 KiB packet limit).</summary>
    public const uint LocalMaxPacket = 128 * 1024;

    private readonly SshServerConnection _connection;
    private readonly ChannelInbox _incoming = new();
    private readonly Channel<ChannelRequest> _requests = Channel.CreateBounded<ChannelRequest>(64);
    private readonly uint _remoteMaxPacket;
    private readonly object _window = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _remoteWindow;
    private TaskCompletionSource _windowOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _localWindow = LocalWindowSize;
    private long _unadjusted;
    private int _eofSent;
    private int _closeSent;
    private bool _closeReceived;
    private bool _eofReceived;

    internal SshChannel(SshServerConnection connection, string type, uint localId, uint remoteId, uint remoteWindow, uint remoteMaxPacket)
    {
        _connection = connection;
        Type = type;
        LocalId = localId;
        RemoteId = remoteId;
        _remoteWindow = remoteWindow;
        _remoteMaxPacket = Math.Max(1, remoteMaxPacket);
    }

    public string Type { get; }

    public uint LocalId { get; }

    public uint RemoteId { get; }

    /// <summary>Requests the client sends on this channel, in order. The host must read them (and reply).</summary>
    public ChannelReader<ChannelRequest> Requests => _requests.Reader;

    /// <summary>Completes when both sides have sent CHANNEL_CLOSE.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Reads data from the client; 0 means EOF (or close). The bytes count as consumed at once.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var count = await ReadHeldAsync(buffer, cancellationToken);
        await ReleaseAsync(count, cancellationToken);
        return count;
    }

    /// <summary>
    /// Reads data from the client without giving its window back: a relay calls <see cref="ReleaseAsync"/> once
    /// the next hop has taken the bytes: those between the read and the release still count against the window,
    /// so what the client has in flight through the relay never exceeds it. 0 means EOF (or close).
    /// </summary>
    public ValueTask<int> ReadHeldAsync(Memory<byte> buffer, CancellationToken cancellationToken) => _incoming.ReadAsync(buffer, cancellationToken);

    /// <summary>
    /// Returns once a read would not wait (data has arrived, or the end): a relay with many idle channels then holds
    /// a buffer only while it has bytes to move, not while it waits.
    /// </summary>
    public ValueTask WaitToReadAsync(CancellationToken cancellationToken) => _incoming.WaitToReadAsync(cancellationToken);

    /// <summary>Counts <paramref name="count"/> bytes read with <see cref="ReadHeldAsync"/> as consumed: the window re-opens (in batches).</summary>
    public ValueTask ReleaseAsync(int count, CancellationToken cancellationToken) =>
        ConsumedEnoughToReopenWindow(count) is var reopened and > 0 ? SendWindowAdjustAsync(reopened, cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Sends data to the client, as fast as its window allows.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => SendDataAsync(data, extended: false, cancellationToken);

    /// <summary>Sends stderr (SSH_EXTENDED_DATA_STDERR).</summary>
    public ValueTask WriteStderrAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => SendDataAsync(data, extended: true, cancellationToken);

    public async ValueTask SendEofAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _eofSent, 1) == 0 && !_closeReceived)
        {
            await _connection.Transport.SendAsync(w =>
            {
                w.WriteByte((byte)SshMessageNumber.ChannelEof);
                w.WriteUInt32(RemoteId);
            }, cancellationToken);
        }
    }

    /// <summary>The command's exit code (RFC 4254 §6.10), sent before EOF and CLOSE.</summary>
    public ValueTask SendExitStatusAsync(uint status, CancellationToken cancellationToken) =>
        SendRequestAsync("exit-status", w => w.WriteUInt32(status), cancellationToken);

    /// <summary>The signal that killed the command: name without "SIG", whether it dumped core, a message.</summary>
    public ValueTask SendExitSignalAsync(string signal, bool coreDumped, string message, CancellationToken cancellationToken) =>
        SendRequestAsync("exit-signal", w =>
        {
            w.WriteUtf8(signal);
            w.WriteBoolean(coreDumped);
            w.WriteUtf8(message);
            w.WriteUtf8("");
        }, cancellationToken);

    /// <summary>Sends CHANNEL_CLOSE once; the channel is gone when the client's CLOSE has arrived too.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) == 0)
        {
            await _connection.Transport.SendAsync(w =>
            {
                w.WriteByte((byte)SshMessageNumber.ChannelClose);
                w.WriteUInt32(RemoteId);
            }, cancellationToken);
        }
        CompleteIfClosedBothWays();
    }

    /// <summary>CHANNEL_DATA arrived; the channel owns <paramref name="data"/> (a slice of the packet) from here on.</summary>
    internal void OnData(SshPacket data)
    {
        var length = data.Payload.Length;
        if (Interlocked.Add(ref _localWindow, -length) < 0 || _eofReceived)
        {
            data.Dispose();
            throw new SshProtocolException(SshDisconnectReason.ProtocolError,
                _eofReceived ? $"channel {LocalId}: data after EOF" : $"channel {LocalId}: the client sent more than the window allows");
        }
        // After CLOSE the inbox is complete and drops it; the window bounds what can queue.
        _incoming.Add(data);
    }

    /// <summary>Data from the client on an extended stream: not used by sessions, but its window is given back.</summary>
    internal async ValueTask OnDiscardedDataAsync(int length, CancellationToken cancellationToken)
    {
        if (Interlocked.Add(ref _localWindow, -length) < 0)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {LocalId}: the client sent more than the window allows");
        }
        if (ConsumedEnoughToReopenWindow(length) is var reopened and > 0)
        {
            await SendWindowAdjustAsync(reopened, cancellationToken);
        }
    }

    internal void OnEof()
    {
        _eofReceived = true;
        _incoming.Complete();
    }

    internal void OnWindowAdjust(uint bytes)
    {
        lock (_window)
        {
            _remoteWindow += bytes;
            if (_remoteWindow > uint.MaxValue)
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {LocalId}: window adjusted beyond 2^32-1");
            }
            _windowOpened.TrySetResult();
        }
    }

    internal ValueTask OnRequestAsync(ChannelRequest request, CancellationToken cancellationToken) => _requests.Writer.WriteAsync(request, cancellationToken);

    /// <summary>The client closed: no more data or requests; we answer with our own CLOSE.</summary>
    internal async ValueTask OnCloseAsync(CancellationToken cancellationToken)
    {
        StopReceiving();
        await CloseAsync(cancellationToken);
    }

    /// <summary>The connection ended: everything waiting on this channel stops.</summary>
    internal void OnConnectionLost()
    {
        StopReceiving();
        _closed.TrySetResult();
    }

    /// <summary>Nothing more comes from the client: readers see the end, senders waiting for window give up.</summary>
    private void StopReceiving()
    {
        _closeReceived = true;
        _incoming.Complete();
        _requests.Writer.TryComplete();
        lock (_window)
        {
            _windowOpened.TrySetResult();
        }
    }

    private async ValueTask SendDataAsync(ReadOnlyMemory<byte> data, bool extended, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var count = await ReserveRemoteWindowAsync((int)Math.Min(data.Length, _remoteMaxPacket), cancellationToken);
            var chunk = data[..count];
            await _connection.Transport.SendChannelDataAsync(RemoteId, extended, chunk, cancellationToken);
            data = data[count..];
        }
    }

    private async ValueTask<int> ReserveRemoteWindowAsync(int wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task opened;
            lock (_window)
            {
                if (_closeReceived)
                {
                    throw new SshChannelClosedException(LocalId);
                }
                if (_remoteWindow > 0)
                {
                    var granted = (int)Math.Min(wanted, _remoteWindow);
                    _remoteWindow -= granted;
                    return granted;
                }
                if (_windowOpened.Task.IsCompleted)
                {
                    _windowOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                opened = _windowOpened.Task;
            }
            await opened.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Counts <paramref name="consumed"/> bytes as read; once half the window has been, returns that
    /// many to grant again (0 until then): re-opening in batches rather than after every read.
    /// </summary>
    private long ConsumedEnoughToReopenWindow(int consumed)
    {
        var pending = Interlocked.Add(ref _unadjusted, consumed);
        if (pending < LocalWindowSize / 2 || _closeReceived)
        {
            return 0;
        }
        Interlocked.Add(ref _unadjusted, -pending);
        Interlocked.Add(ref _localWindow, pending);
        return pending;
    }

    private ValueTask SendWindowAdjustAsync(long bytes, CancellationToken cancellationToken) =>
        _connection.Transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.ChannelWindowAdjust);
            w.WriteUInt32(RemoteId);
            w.WriteUInt32((uint)bytes);
        }, cancellationToken);

    private ValueTask SendRequestAsync(string type, Action<SshWriter> writeData, CancellationToken cancellationToken) =>
        _closeReceived ? ValueTask.CompletedTask : _connection.Transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.ChannelRequest);
            w.WriteUInt32(RemoteId);
            w.WriteUtf8(type);
            w.WriteBoolean(false);
            writeData(w);
        }, cancellationToken);

    private void CompleteIfClosedBothWays()
    {
        if (_closeReceived && _closeSent == 1)
        {
            _connection.Forget(this);
            _closed.TrySetResult();
        }
    }
}

/// <summary>The client refused a channel we tried to open.</summary>
public sealed class SshChannelOpenFailedException(ChannelOpenFailureReason reason, string message)
    : IOException($"the client refused the channel ({reason}): {message}")
{
    public ChannelOpenFailureReason Reason { get; } = reason;
}

/// <summary>The client closed the channel while we still had data for it.</summary>
public sealed class SshChannelClosedException(uint channel) : IOException($"channel {channel} is closed");
