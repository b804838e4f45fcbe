using System.Threading.Channels;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Transport;
using K8shell.Ssh.Transport.KeyExchange;
using K8shell.Ssh.Transport.Packets;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Connection;

/// <summary>
/// An authenticated connection (RFC 4254): <see cref="RunAsync"/> reads the client's messages and
/// turns them into new channels, channel data and requests, and global requests. The host must read
/// <see cref="IncomingChannels"/> and <see cref="GlobalRequests"/>: unread, they hold up the connection.
/// </summary>
public sealed class SshServerConnection
{
    private readonly Dictionary<uint, SshChannel> _channels = [];
    private readonly Channel<NewChannel> _incomingChannels = Channel.CreateBounded<NewChannel>(16);
    private readonly Channel<ChannelRequest> _globalRequests = Channel.CreateBounded<ChannelRequest>(16);
    private readonly int _maxChannels;
    private uint _nextChannelId;

    internal SshServerConnection(SshTransport transport, SshIdentification client, KeyExchangeResult keyExchange, AuthenticatedUser user, int maxChannels)
    {
        Transport = transport;
        ClientIdentification = client;
        KeyExchange = keyExchange;
        User = user;
        _maxChannels = maxChannels;
    }

    public SshTransport Transport { get; }

    public SshIdentification ClientIdentification { get; }

    public KeyExchangeResult KeyExchange { get; }

    public AuthenticatedUser User { get; }

    public ChannelReader<NewChannel> IncomingChannels => _incomingChannels.Reader;

    public ChannelReader<ChannelRequest> GlobalRequests => _globalRequests.Reader;

    /// <summary>
    /// Serves the connection until the client leaves. A protocol violation ends it with
    /// SSH_MSG_DISCONNECT and its reason; either way every channel is told the connection is gone.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var packet = await Transport.ReceiveAsync(cancellationToken);
                await DispatchAsync(packet, cancellationToken);
            }
        }
        catch (SshProtocolException violation) when (violation.Reason != SshDisconnectReason.ConnectionLost)
        {
            await Transport.DisconnectAsync(violation.Reason, violation.Message, CancellationToken.None);
            throw;
        }
        catch (SshProtocolException)
        {
            // The client closed the connection.
        }
        catch (SshDisconnectedException)
        {
            // The client said goodbye.
        }
        finally
        {
            _incomingChannels.Writer.TryComplete();
            _globalRequests.Writer.TryComplete();
            SshChannel[] open;
            lock (_channels)
            {
                open = [.. _channels.Values];
                _channels.Clear();
            }
            foreach (var channel in open)
            {
                channel.OnConnectionLost();
            }
        }
    }

    private async ValueTask DispatchAsync(SshPacket packet, CancellationToken cancellationToken)
    {
        var message = new SshReader(packet.Payload[1..]);
        switch ((SshMessageNumber)packet.MessageNumber)
        {
            case SshMessageNumber.ChannelOpen:
                var type = message.ReadAscii();
                var remoteId = message.ReadUInt32();
                var window = message.ReadUInt32();
                var maxPacket = message.ReadUInt32();
                var extra = message.ReadRemaining().ToArray();
                await OnChannelOpenAsync(new NewChannel(this, type, remoteId, window, maxPacket, extra), cancellationToken);
                break;

            case SshMessageNumber.ChannelData:
                var dataChannel = Find(message.ReadUInt32());
                dataChannel.OnData(message.ReadString());
                break;

            case SshMessageNumber.ChannelExtendedData:
                var extendedChannel = Find(message.ReadUInt32());
                message.ReadUInt32();
                await extendedChannel.OnDiscardedDataAsync(message.ReadString().Length, cancellationToken);
                break;

            case SshMessageNumber.ChannelWindowAdjust:
                var adjusted = Find(message.ReadUInt32());
                adjusted.OnWindowAdjust(message.ReadUInt32());
                break;

            case SshMessageNumber.ChannelEof:
                Find(message.ReadUInt32()).OnEof();
                break;

            case SshMessageNumber.ChannelClose:
                await Find(message.ReadUInt32()).OnCloseAsync(cancellationToken);
                break;

            case SshMessageNumber.ChannelRequest:
                var requestChannel = Find(message.ReadUInt32());
                var requestType = message.ReadAscii();
                var wantReply = message.ReadBoolean();
                var requestData = message.ReadRemaining().ToArray();
                await requestChannel.OnRequestAsync(new ChannelRequest(requestType, wantReply, requestData,
                    (success, _, token) => Transport.SendAsync(w =>
                    {
                        w.WriteByte((byte)(success ? SshMessageNumber.ChannelSuccess : SshMessageNumber.ChannelFailure));
                        w.WriteUInt32(requestChannel.RemoteId);
                    }, token)), cancellationToken);
                break;

            case SshMessageNumber.GlobalRequest:
                var name = message.ReadAscii();
                var reply = message.ReadBoolean();
                var globalData = message.ReadRemaining().ToArray();
                await _globalRequests.Writer.WriteAsync(new ChannelRequest(name, reply, globalData,
                    (success, response, token) => Transport.SendAsync(w =>
                    {
                        w.WriteByte((byte)(success ? SshMessageNumber.RequestSuccess : SshMessageNumber.RequestFailure));
                        if (success)
                        {
                            w.WriteRaw(response.Span);
                        }
                    }, token)), cancellationToken);
                break;

            default:
                await Transport.SendUnimplementedAsync(Transport.LastReceivedSequenceNumber, cancellationToken);
                break;
        }
    }

    private async ValueTask OnChannelOpenAsync(NewChannel channel, CancellationToken cancellationToken)
    {
        int open;
        lock (_channels)
        {
            open = _channels.Count;
        }
        if (open >= _maxChannels)
        {
            await channel.RejectAsync(ChannelOpenFailureReason.ResourceShortage, $"too many channels (at most {_maxChannels})", cancellationToken);
            return;
        }
        await _incomingChannels.Writer.WriteAsync(channel, cancellationToken);
    }

    internal async ValueTask<SshChannel> AcceptChannelAsync(string type, uint remoteId, uint remoteWindow, uint remoteMaxPacket, CancellationToken cancellationToken)
    {
        SshChannel channel;
        lock (_channels)
        {
            while (_channels.ContainsKey(_nextChannelId))
            {
                _nextChannelId++;
            }
            channel = new SshChannel(this, type, _nextChannelId++, remoteId, remoteWindow, remoteMaxPacket);
            _channels[channel.LocalId] = channel;
        }
        await Transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.ChannelOpenConfirmation);
            w.WriteUInt32(remoteId);
            w.WriteUInt32(channel.LocalId);
            w.WriteUInt32(SshChannel.LocalWindowSize);
            w.WriteUInt32(SshChannel.LocalMaxPacket);
        }, cancellationToken);
        return channel;
    }

    internal ValueTask RejectChannelAsync(uint remoteId, ChannelOpenFailureReason reason, string message, CancellationToken cancellationToken) =>
        Transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.ChannelOpenFailure);
            w.WriteUInt32(remoteId);
            w.WriteUInt32((uint)reason);
            w.WriteUtf8(message);
            w.WriteUtf8("");
        }, cancellationToken);

    internal void Forget(SshChannel channel)
    {
        lock (_channels)
        {
            _channels.Remove(channel.LocalId);
        }
    }

    private SshChannel Find(uint localId)
    {
        lock (_channels)
        {
            return _channels.TryGetValue(localId, out var channel)
                ? channel
                : throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"no open channel {localId}");
        }
    }
}
