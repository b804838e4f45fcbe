using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using K8shell.Ssh.Transport.KeyExchange;
using K8shell.Ssh.Transport.Packets;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Transport;

/// <summary>
/// One connection's packet stream after key exchange: serialised sends (sequence numbers and cipher
/// state are per direction), transport messages handled here (IGNORE, DEBUG, UNIMPLEMENTED, EXT_INFO,
/// DISCONNECT, and KEXINIT, which re-keys), everything else handed to the layer above. Re-keys on
/// its own after <see cref="RekeyLimits"/> bytes or time, as RFC 4253 §9 recommends.
/// </summary>
public sealed class SshTransport(PacketReader reader, PacketWriter writer)
{
    /// <summary>Replies queued while our KEXINIT is out may not grow past this: a client must answer it.</summary>
    private const int MaxDeferredBytes = 1024 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ServerKeyExchange? _keyExchange;
    private RekeyLimits _limits = RekeyLimits.Default;
    private long _keysSince = Stopwatch.GetTimestamp();

    // A re-exchange we started: our KEXINIT is out and the client's has not arrived (guarded by _sendLock).
    private byte[]? _ourKexInit;
    private TaskCompletionSource _rekeyed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<byte[]> _deferred = new();
    private int _deferredBytes;

    /// <summary>Re-exchanges run through the connection's key exchange once the first one is done.</summary>
    internal void EnableRekeying(ServerKeyExchange keyExchange, RekeyLimits limits)
    {
        _keyExchange = keyExchange;
        _limits = limits;
        _keysSince = Stopwatch.GetTimestamp();
    }

    /// <summary>Key exchanges completed after the first, whoever started them.</summary>
    public int Rekeys { get; private set; }

    /// <summary>The next packet for the layers above; transport-level messages never reach them.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SshPacket> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var packet = await reader.ReadAsync(cancellationToken);
            switch ((SshMessageNumber)packet.MessageNumber)
            {
                case var ignorable when ignorable.IsIgnorable():
                    packet.Dispose();
                    continue;
                case SshMessageNumber.ExtInfo:
                    // RFC 8308 §2.1: we announce ext-info-s, so a client may send its own extensions after
                    // NEWKEYS (asyncssh does). None of the client's extensions change what a server does.
                    packet.Dispose();
                    continue;
                case SshMessageNumber.KexInit when _keyExchange is not null:
                    var kexInit = packet.Payload.ToArray();
                    packet.Dispose();
                    await RekeyAsync(kexInit, cancellationToken);
                    continue;
                case SshMessageNumber.Disconnect:
                    var message = new SshReader(packet.Payload[1..]);
                    var reason = (SshDisconnectReason)message.ReadUInt32();
                    var description = message.ReadUtf8();
                    packet.Dispose();
                    throw new SshDisconnectedException(reason, description);
                default:
                    if (RekeyDue)
                    {
                        await StartRekeyLockedAsync(cancellationToken);
                    }
                    return packet;
            }
        }
    }

    /// <summary>
    /// The client's KEXINIT arrived, answering ours or starting its own exchange: every other sender
    /// waits until both NEWKEYS have passed, then what the connection loop replied meanwhile goes out.
    /// </summary>
    private async ValueTask RekeyAsync(byte[] clientKexInit, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _keyExchange!.RekeyAsync(_ourKexInit, clientKexInit, cancellationToken);
            Rekeys++;
            _keysSince = Stopwatch.GetTimestamp();
            _ourKexInit = null;
            while (_deferred.TryDequeue(out var payload))
            {
                writer.Write(payload);
            }
            _deferredBytes = 0;
            await writer.FlushAsync(cancellationToken);
            _rekeyed.TrySetResult();
            _rekeyed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Senders waiting for new keys learn that none will come.</summary>
    internal void OnConnectionLost() => _rekeyed.TrySetException(new IOException("the connection closed during a key exchange"));

    private bool RekeyDue =>
        _keyExchange is not null && _ourKexInit is null &&
        (writer.BytesSinceNewKeys >= _limits.Bytes || reader.BytesSinceNewKeys >= _limits.Bytes ||
         Stopwatch.GetElapsedTime(_keysSince) >= _limits.Time);

    /// <summary>Writes our KEXINIT when the keys have done enough (the caller flushes); the exchange completes when the client answers.</summary>
    private void StartRekeyIfDue()
    {
        if (RekeyDue)
        {
            _ourKexInit = _keyExchange!.WriteKexInit();
        }
    }

    /// <summary>
    /// Sends one message. While our KEXINIT waits for the client's, channel data waits for the new
    /// keys (its senders are the host's tasks), and everything else is queued without waiting: the
    /// connection loop sends those, and it must stay free to read the client's KEXINIT.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendAsync(payload, static (writer, payload) => writer.Write(payload.Span), IsChannelData(payload.Span) ? null : payload, cancellationToken);

    /// <summary>
    /// SSH_MSG_CHANNEL_DATA, or EXTENDED_DATA for stderr, with <paramref name="data"/> copied once:
    /// from the caller's buffer into the packet.
    /// </summary>
    public ValueTask SendChannelDataAsync(uint recipient, bool stderr, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        SendAsync((recipient, stderr, data), static (writer, message) => WriteChannelData(writer, message.recipient, message.stderr, message.data.Span),
            deferrable: null, cancellationToken);

    private static void WriteChannelData(PacketWriter writer, uint recipient, bool stderr, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[13];
        header[0] = (byte)(stderr ? SshMessageNumber.ChannelExtendedData : SshMessageNumber.ChannelData);
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], recipient);
        var length = 5;
        if (stderr)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header[length..], 1); // SSH_EXTENDED_DATA_STDERR
            length += 4;
        }
        BinaryPrimitives.WriteUInt32BigEndian(header[length..], (uint)data.Length);
        writer.Write(header[..(length + 4)], data);
    }

    /// <summary>Writes through <paramref name="write"/>, or queues <paramref name="deferrable"/> (or waits) while our re-exchange is pending.</summary>
    private async ValueTask SendAsync<TMessage>(
        TMessage message, Action<PacketWriter, TMessage> write, ReadOnlyMemory<byte>? deferrable, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task rekeyed;
            await _sendLock.WaitAsync(cancellationToken);
            try
            {
                if (_ourKexInit is null)
                {
                    write(writer, message);
                    StartRekeyIfDue();
                    await writer.FlushAsync(cancellationToken);
                    return;
                }
                if (deferrable is { } payload)
                {
                    Defer(payload);
                    return;
                }
                rekeyed = _rekeyed.Task;
            }
            finally
            {
                _sendLock.Release();
            }
            await rekeyed.WaitAsync(cancellationToken);
        }
    }

    private static bool IsChannelData(ReadOnlySpan<byte> payload) =>
        payload[0] is (byte)SshMessageNumber.ChannelData or (byte)SshMessageNumber.ChannelExtendedData;

    private void Defer(ReadOnlyMemory<byte> payload)
    {
        _deferredBytes += payload.Length;
        if (_deferredBytes > MaxDeferredBytes)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError,
                $"the client has not answered our KEXINIT while {_deferredBytes} bytes of replies wait for new keys");
        }
        _deferred.Enqueue(payload.ToArray());
    }

    /// <summary>As <see cref="StartRekeyIfDue"/>, from the receive side, which does not hold the send lock.</summary>
    private async ValueTask StartRekeyLockedAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            StartRekeyIfDue();
            await writer.FlushAsync(cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a message built by <paramref name="write"/>.</summary>
    public ValueTask SendAsync(Action<SshWriter> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new SshWriter(buffer));
        return SendAsync(buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>
    /// Answers the message <see cref="ReceiveAsync"/> returned last, which we do not know (RFC 4253 §11.4):
    /// the peer learns which packet, by its sequence number.
    /// </summary>
    public ValueTask SendUnimplementedAsync(CancellationToken cancellationToken)
    {
        var sequenceNumber = reader.SequenceNumber - 1;
        return SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.Unimplemented);
            w.WriteUInt32(sequenceNumber);
        }, cancellationToken);
    }

    /// <summary>How long a goodbye may take: a peer that stopped reading must not hold the connection open.</summary>
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Tells the peer why the connection ends (RFC 4253 §11.1). Best effort, and bounded: the peer may be gone or stuck.</summary>
    public async ValueTask DisconnectAsync(SshDisconnectReason reason, string description, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(DisconnectTimeout);
        try
        {
            await SendAsync(w =>
            {
                w.WriteByte((byte)SshMessageNumber.Disconnect);
                w.WriteUInt32((uint)reason);
                w.WriteUtf8(description);
                w.WriteUtf8("");
            }, bounded.Token);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is closing either way.
        }
    }
}

/// <summary>The peer ended the connection with SSH_MSG_DISCONNECT.</summary>
public sealed class SshDisconnectedException(SshDisconnectReason reason, string description)
    : Exception($"peer disconnected ({reason}): {description}")
{
    public SshDisconnectReason Reason { get; } = reason;
}

/// <summary>When the server re-keys on its own (RFC 4253 §9: after a gigabyte or an hour).</summary>
public sealed record RekeyLimits(long Bytes, TimeSpan Time)
{
    public static readonly RekeyLimits Default = new(1L << 30, TimeSpan.FromHours(1));
}
