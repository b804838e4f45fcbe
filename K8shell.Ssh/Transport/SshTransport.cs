using System.Buffers;
using K8shell.Ssh.Transport.KeyExchange;
using K8shell.Ssh.Transport.Packets;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Transport;

/// <summary>
/// One connection's packet stream after key exchange: serialised sends (sequence numbers and cipher
/// state are per direction), transport messages handled here (IGNORE, DEBUG, UNIMPLEMENTED, EXT_INFO,
/// DISCONNECT, and KEXINIT, which re-keys), everything else handed to the layer above.
/// </summary>
public sealed class SshTransport(PacketReader reader, PacketWriter writer)
{
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ServerKeyExchange? _keyExchange;

    /// <summary>Re-exchanges run through the connection's key exchange once the first one is done.</summary>
    internal void EnableRekeying(ServerKeyExchange keyExchange) => _keyExchange = keyExchange;

    /// <summary>Sequence number of the packet <see cref="ReceiveAsync"/> returned last, for SSH_MSG_UNIMPLEMENTED.</summary>
    public uint LastReceivedSequenceNumber => reader.SequenceNumber - 1;

    /// <summary>The next packet for the layers above; transport-level messages never reach them.</summary>
    public async ValueTask<SshPacket> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var packet = await reader.ReadAsync(cancellationToken);
            switch ((SshMessageNumber)packet.MessageNumber)
            {
                case SshMessageNumber.Ignore or SshMessageNumber.Debug or SshMessageNumber.Unimplemented:
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
                    return packet;
            }
        }
    }

    /// <summary>The client asked for new keys: every other sender waits until both NEWKEYS have passed.</summary>
    private async ValueTask RekeyAsync(byte[] clientKexInit, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _keyExchange!.RekeyAsync(clientKexInit, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            writer.Write(payload.Span);
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

    /// <summary>Answers a message we do not know (RFC 4253 §11.4): the peer learns which packet, by sequence number.</summary>
    public ValueTask SendUnimplementedAsync(uint sequenceNumber, CancellationToken cancellationToken) => SendAsync(w =>
    {
        w.WriteByte((byte)SshMessageNumber.Unimplemented);
        w.WriteUInt32(sequenceNumber);
    }, cancellationToken);

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
