using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
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
    private readonly Pipe _incoming = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
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

    /// <summary>Reads data from the client; 0 means EOF (or close).</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await _incoming.Reader.ReadAsync(cancellationToken);
        if (result.Buffer.IsEmpty && result.IsCompleted)
        {
            _incoming.Reader.AdvanceTo(result.Buffer.End);
            return 0;
        }
        var count = (int)Math.Min(buffer.Length, result.Buffer.Length);
        result.Buffer.Slice(0, count).CopyTo(buffer.Span);
        _incoming.Reader.AdvanceTo(result.Buffer.GetPosition(count));
        await OpenLocalWindowAsync(count, cancellationToken);
        return count;
    }

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

    internal void OnData(ReadOnlySpan<byte> data)
    {
        if (Interlocked.Add(ref _localWindow, -data.Length) < 0)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {LocalId}: the client sent more than the window allows");
        }
        if (_eofReceived)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {LocalId}: data after EOF");
        }
        if (_closeReceived)
        {
            return;
        }
        _incoming.Writer.Write(data);
        // No pause threshold: FlushAsync completes at once; the window is what bounds the pipe.
        _ = _incoming.Writer.FlushAsync();
    }

    /// <summary>Data from the client on an extended stream: not used by sessions, but its window is given back.</summary>
    internal async ValueTask OnDiscardedDataAsync(int length, CancellationToken cancellationToken)
    {
        if (Interlocked.Add(ref _localWindow, -length) < 0)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {LocalId}: the client sent more than the window allows");
        }
        await OpenLocalWindowAsync(length, cancellationToken);
    }

    internal void OnEof()
    {
        _eofReceived = true;
        _incoming.Writer.Complete();
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
        _incoming.Writer.Complete();
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

    private async ValueTask OpenLocalWindowAsync(int consumed, CancellationToken cancellationToken)
    {
        // Re-open in batches (half the window) rather than after every read.
        var pending = Interlocked.Add(ref _unadjusted, consumed);
        if (pending < LocalWindowSize / 2 || _closeReceived)
        {
            return;
        }
        Interlocked.Add(ref _unadjusted, -pending);
        Interlocked.Add(ref _localWindow, pending);
        await _connection.Transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.ChannelWindowAdjust);
            w.WriteUInt32(RemoteId);
            w.WriteUInt32((uint)pending);
        }, cancellationToken);
    }

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
