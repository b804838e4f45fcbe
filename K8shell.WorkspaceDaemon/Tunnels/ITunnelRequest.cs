using Google.Protobuf;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>
/// What DialTcp, DialUnix and Accept requests have in common after their first message (bytes or
/// EOF), so one <see cref="SocketRelay"/> serves all three. The generated messages implement it as they are.
/// </summary>
internal interface ITunnelRequest
{
    bool HasData { get; }

    ByteString Data { get; }

    /// <summary>Set when the client shut down its write side.</summary>
    TunnelEof? Eof { get; }
}
