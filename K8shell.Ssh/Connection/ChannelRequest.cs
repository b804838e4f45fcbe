namespace K8shell.Ssh.Connection;

/// <summary>
/// A request on a channel (pty-req, exec, window-change, ...) or on the connection (tcpip-forward, ...).
/// <see cref="Payload"/> holds the request-specific fields after want_reply; answer with ReplyAsync.
/// </summary>
public sealed class ChannelRequest(string type, bool wantReply, byte[] payload, Func<bool, ReadOnlyMemory<byte>, CancellationToken, ValueTask> reply)
{
    private int _replied;

    public string Type { get; } = type;

    public bool WantReply { get; } = wantReply;

    public byte[] Payload { get; } = payload;

    /// <summary>Answers once (success or failure); does nothing when the peer asked for no reply.</summary>
    public ValueTask ReplyAsync(bool success, CancellationToken cancellationToken) => ReplyAsync(success, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>Answers with response data (global requests only, e.g. the port tcpip-forward allocated).</summary>
    public ValueTask ReplyAsync(bool success, ReadOnlyMemory<byte> responseData, CancellationToken cancellationToken) =>
        WantReply && Interlocked.Exchange(ref _replied, 1) == 0 ? reply(success, responseData, cancellationToken) : ValueTask.CompletedTask;
}
