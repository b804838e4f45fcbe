using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Connection;

/// <summary>What the server starts on a connection: channels toward the client, global requests, keepalive, host keys, goodbye.</summary>
public sealed partial class SshServerConnection
{
    /// <summary>
    /// Opens a channel toward the client (forwarded-tcpip, forwarded-streamlocal@openssh.com,
    /// auth-agent@openssh.com); <paramref name="extraData"/> holds the type-specific fields.
    /// </summary>
    public async ValueTask<SshChannel> OpenChannelAsync(string type, ReadOnlyMemory<byte> extraData, CancellationToken cancellationToken)
    {
        var opened = new TaskCompletionSource<SshChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        uint localId;
        lock (_channels)
        {
            localId = NextFreeChannelId();
            _pendingOpens[localId] = (type, opened);
        }
        await Transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.ChannelOpen);
            w.WriteUtf8(type);
            w.WriteUInt32(localId);
            w.WriteUInt32(SshChannel.LocalWindowSize);
            w.WriteUInt32(SshChannel.LocalMaxPacket);
            w.WriteRaw(extraData.Span);
        }, cancellationToken);
        return await opened.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Sends a global request; with <paramref name="wantReply"/>, returns whether the client said success.</summary>
    public async ValueTask<bool> SendGlobalRequestAsync(string name, bool wantReply, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Replies come in request order (RFC 4254 §4): queue before sending so the order holds.
        if (wantReply)
        {
            lock (_pendingGlobalReplies)
            {
                _pendingGlobalReplies.Enqueue(reply);
            }
        }
        await Transport.SendAsync(w =>
        {
            w.WriteByte((byte)SshMessageNumber.GlobalRequest);
            w.WriteUtf8(name);
            w.WriteBoolean(wantReply);
            w.WriteRaw(data.Span);
        }, cancellationToken);
        return !wantReply || await reply.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Probes the client with keepalive@openssh.com every <paramref name="interval"/>; any answer
    /// (even failure) proves it is there. After <paramref name="maxUnanswered"/> probes in a row go
    /// unanswered, the connection ends with a disconnect that says so. Returns when the connection ends.
    /// </summary>
    public async Task KeepAliveAsync(TimeSpan interval, int maxUnanswered, CancellationToken cancellationToken)
    {
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        var unanswered = 0;
        Task<bool>? probe = null;
        try
        {
            while (true)
            {
                await Task.Delay(interval, running.Token);
                unanswered = probe is { IsCompleted: true } or null ? 0 : unanswered + 1;
                if (unanswered >= maxUnanswered)
                {
                    await CloseAsync(SshDisconnectReason.ConnectionLost, $"no answer to {unanswered} keepalive probes", CancellationToken.None);
                    return;
                }
                if (probe is null or { IsCompleted: true })
                {
                    probe = SendGlobalRequestAsync("keepalive@openssh.com", wantReply: true, ReadOnlyMemory<byte>.Empty, running.Token).AsTask();
                }
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            // The connection ended first.
        }
    }

    /// <summary>Ends the connection from our side with a reason the client sees.</summary>
    public async ValueTask CloseAsync(SshDisconnectReason reason, string message, CancellationToken cancellationToken)
    {
        await Transport.DisconnectAsync(reason, message, cancellationToken);
        await _lifetime.CancelAsync();
    }

    /// <summary>
    /// Tells the client every host key we have (OpenSSH PROTOCOL §2.5), so it can learn new ones
    /// before old ones are retired: graceful host key rotation.
    /// </summary>
    private async ValueTask AnnounceHostKeysAsync(CancellationToken cancellationToken) =>
        await SendGlobalRequestAsync(HostKeyProofs.AnnouncementName, wantReply: false, HostKeyProofs.Announcement(_hostKeys), cancellationToken);

    /// <summary>The client asks us to prove we hold the announced keys: one signature per key, in order.</summary>
    private async ValueTask ProveHostKeysAsync(byte[] data, CancellationToken cancellationToken)
    {
        var signatures = HostKeyProofs.Sign(data, _hostKeys, KeyExchange);
        await Transport.SendAsync(w =>
        {
            if (signatures is null)
            {
                w.WriteByte((byte)SshMessageNumber.RequestFailure);
                return;
            }
            w.WriteByte((byte)SshMessageNumber.RequestSuccess);
            foreach (var signature in signatures)
            {
                w.WriteString(signature);
            }
        }, cancellationToken);
    }
}
