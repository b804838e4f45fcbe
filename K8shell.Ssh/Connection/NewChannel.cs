namespace K8shell.Ssh.Connection;

/// <summary>A channel the client wants to open; the host accepts it or refuses it with a reason.</summary>
public sealed class NewChannel
{
    private readonly SshServerConnection _connection;
    private readonly uint _remoteId;
    private readonly uint _remoteWindow;
    private readonly uint _remoteMaxPacket;
    private int _answered;

    internal NewChannel(SshServerConnection connection, string type, uint remoteId, uint remoteWindow, uint remoteMaxPacket, byte[] extraData)
    {
        _connection = connection;
        Type = type;
        _remoteId = remoteId;
        _remoteWindow = remoteWindow;
        _remoteMaxPacket = remoteMaxPacket;
        ExtraData = extraData;
    }

    /// <summary>"session", "direct-tcpip", "direct-streamlocal@openssh.com", ...</summary>
    public string Type { get; }

    /// <summary>The type-specific fields (e.g. host and port for direct-tcpip).</summary>
    public byte[] ExtraData { get; }

    public ValueTask<SshChannel> AcceptAsync(CancellationToken cancellationToken) =>
        _connection.AcceptChannelAsync(Type, _remoteId, _remoteWindow, _remoteMaxPacket, wasUndecided: FirstAnswer(), cancellationToken);

    public ValueTask RejectAsync(ChannelOpenFailureReason reason, string message, CancellationToken cancellationToken)
    {
        if (FirstAnswer())
        {
            _connection.ForgetUndecidedOpen();
        }
        return _connection.RejectChannelAsync(_remoteId, reason, message, cancellationToken);
    }

    /// <summary>Whether this is the host's first answer: only that one gives back the place the open held under the channel limit.</summary>
    private bool FirstAnswer() => Interlocked.Exchange(ref _answered, 1) == 0;
}
