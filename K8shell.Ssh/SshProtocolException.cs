namespace K8shell.Ssh;

/// <summary>
/// The peer broke the protocol. The connection ends with SSH_MSG_DISCONNECT carrying
/// <see cref="Reason"/> and the message; the library never lets it escape past the connection.
/// </summary>
public sealed class SshProtocolException(SshDisconnectReason reason, string message) : Exception(message)
{
    public SshDisconnectReason Reason { get; } = reason;

    /// <summary>Malformed data: a field runs past the packet, or breaks RFC 4251 §5's encoding rules.</summary>
    internal static SshProtocolException Malformed(string what) => new(SshDisconnectReason.ProtocolError, $"malformed {what}");
}
