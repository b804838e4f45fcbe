using System.Threading.Channels;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.HostKeys;
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
public sealed partial class SshServerConnection
{
    /// <summary>Where CHANNEL_DATA's bytes start in the payload: message number, channel id, length.</summary>
    private const int DataOffset = 1 + 4 + 4;

    private readonly Dictionary<uint, SshChannel> _channels = [];
    private readonly Channel<NewChannel> _incomingChannels = Channel.CreateBounded<NewChannel>(16);
    private readonly Channel<ChannelRequest> _globalRequests = Channel.CreateBounded<ChannelRequest>(16);
    private readonly Dictionary<uint, (string Type, TaskCompletionSource<SshChannel> Opened)> _pendingOpens = [];
    private readonly Queue<TaskCompletionSource<bool>> _pendingGlobalReplies = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly IReadOnlyList<HostKey> _hostKeys;
    private readonly int _maxChannels;
    private uint _nextChannelId;

    /// <summary>
    /// Opens admitted under the channel limit that the host has not answered yet. They hold a place: a client that
    /// sends opens faster than the host answers them (10 000 in one burst) would otherwise all pass the check.
    /// </summary>
    private int _undecidedOpens;

    internal SshServerConnection(
        SshTransport transport, SshIdentification client, KeyExchangeResult keyExchange, AuthenticatedUser user, IReadOnlyList<HostKey> hostKeys, int maxChannels)
    {
        Transport = transport;
        ClientIdentification = client;
        KeyExchange = keyExchange;
        User = user;
        _hostKeys = hostKeys;
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
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        cancellationToken = running.Token;
        try
        {
            await AnnounceHostKeysAsync(cancellationToken);
            while (true)
            {
                var packet = await Transport.ReceiveAsync(cancellationToken);
                if (packet.MessageNumber == (byte)SshMessageNumber.ChannelData)
                {
                    // The hot path: the packet itself is queued on the channel, nothing copied or allocated.
                    DeliverData(packet);
                    continue;
                }
                using (packet)
                {
                    await DispatchAsync(packet, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // We ended the connection (keepalive gave up, or the host closed it).
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
            FailPending();
            Transport.OnConnectionLost();
        }
    }

    private void FailPending()
    {
        (string, TaskCompletionSource<SshChannel> Opened)[] opens;
        lock (_channels)
        {
            opens = [.. _pendingOpens.Values];
            _pendingOpens.Clear();
        }
        foreach (var (_, opened) in opens)
        {
            opened.TrySetException(new IOException("the connection closed before the channel opened"));
        }
        lock (_pendingGlobalReplies)
        {
            while (_pendingGlobalReplies.TryDequeue(out var reply))
            {
                reply.TrySetException(new IOException("the connection closed before the reply"));
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
                await OnChannelOpenAsync(type, remoteId, window, maxPacket, extra, cancellationToken);
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
                await requestChannel.OnRequestAsync(ReadChannelRequest(requestChannel, ref message), cancellationToken);
                break;

            case SshMessageNumber.GlobalRequest:
                var name = message.ReadAscii();
                var reply = message.ReadBoolean();
                var globalData = message.ReadRemaining().ToArray();
                if (name == HostKeyProofs.RequestName)
                {
                    await ProveHostKeysAsync(globalData, cancellationToken);
                    break;
                }
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

            case SshMessageNumber.ChannelOpenConfirmation:
                var confirmedId = message.ReadUInt32();
                var confirmed = TakePendingOpen(confirmedId);
                var channel = new SshChannel(this, confirmed.Type, confirmedId, message.ReadUInt32(), message.ReadUInt32(), message.ReadUInt32());
                lock (_channels)
                {
                    _channels[confirmedId] = channel;
                }
                confirmed.Opened.TrySetResult(channel);
                break;

            case SshMessageNumber.ChannelOpenFailure:
                var refused = TakePendingOpen(message.ReadUInt32());
                var reason = (ChannelOpenFailureReason)message.ReadUInt32();
                refused.Opened.TrySetException(new SshChannelOpenFailedException(reason, message.ReadUtf8()));
                break;

            case SshMessageNumber.RequestSuccess or SshMessageNumber.RequestFailure:
                TaskCompletionSource<bool>? pendingReply;
                lock (_pendingGlobalReplies)
                {
                    _pendingGlobalReplies.TryDequeue(out pendingReply);
                }
                if (pendingReply is null)
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, "a global request reply nobody asked for");
                }
                pendingReply.TrySetResult(packet.MessageNumber == (byte)SshMessageNumber.RequestSuccess);
                break;

            default:
                await Transport.SendUnimplementedAsync(cancellationToken);
                break;
        }
    }

    /// <summary>CHANNEL_DATA: channel id, then the data as a string, which the channel takes with its packet.</summary>
    private void DeliverData(SshPacket packet)
    {
        SshChannel channel;
        int length;
        try
        {
            var message = new SshReader(packet.Payload[1..]);
            channel = Find(message.ReadUInt32());
            length = message.ReadString().Length;
        }
        catch
        {
            packet.Dispose();
            throw;
        }
        channel.OnData(packet.Slice(DataOffset, length));
    }

    private ChannelRequest ReadChannelRequest(SshChannel channel, ref SshReader message)
    {
        var type = message.ReadAscii();
        var wantReply = message.ReadBoolean();
        var data = message.ReadRemaining().ToArray();
        return new ChannelRequest(type, wantReply, data, (success, _, token) => Transport.SendAsync(w =>
        {
            w.WriteByte((byte)(success ? SshMessageNumber.ChannelSuccess : SshMessageNumber.ChannelFailure));
            w.WriteUInt32(channel.RemoteId);
        }, token));
    }

    private async ValueTask OnChannelOpenAsync(string type, uint remoteId, uint window, uint maxPacket, byte[] extra, CancellationToken cancellationToken)
    {
        bool admitted;
        lock (_channels)
        {
            admitted = _channels.Count + _undecidedOpens < _maxChannels;
            if (admitted)
            {
                _undecidedOpens++;
            }
        }
        if (!admitted)
        {
            await RejectChannelAsync(remoteId, ChannelOpenFailureReason.ResourceShortage, $"too many channels (at most {_maxChannels})", cancellationToken);
            return;
        }
        await _incomingChannels.Writer.WriteAsync(new NewChannel(this, type, remoteId, window, maxPacket, extra), cancellationToken);
    }

    /// <summary>The host refused an admitted open: its place under the limit is free again.</summary>
    internal void ForgetUndecidedOpen()
    {
        lock (_channels)
        {
            _undecidedOpens--;
        }
    }

    /// <summary>Opens the channel; with <paramref name="wasUndecided"/> it takes the place its open held (in one step, so no other open slips in between).</summary>
    internal async ValueTask<SshChannel> AcceptChannelAsync(string type, uint remoteId, uint remoteWindow, uint remoteMaxPacket, bool wasUndecided,
        CancellationToken cancellationToken)
    {
        SshChannel channel;
        lock (_channels)
        {
            channel = new SshChannel(this, type, NextFreeChannelId(), remoteId, remoteWindow, remoteMaxPacket);
            _channels[channel.LocalId] = channel;
            if (wasUndecided)
            {
                _undecidedOpens--;
            }
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

    /// <summary>Call with the channel table locked.</summary>
    private uint NextFreeChannelId()
    {
        while (_channels.ContainsKey(_nextChannelId) || _pendingOpens.ContainsKey(_nextChannelId))
        {
            _nextChannelId++;
        }
        return _nextChannelId++;
    }

    private (string Type, TaskCompletionSource<SshChannel> Opened) TakePendingOpen(uint localId)
    {
        lock (_channels)
        {
            return _pendingOpens.Remove(localId, out var pending)
                ? pending
                : throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"an answer to channel open {localId}, which we never asked for");
        }
    }

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
