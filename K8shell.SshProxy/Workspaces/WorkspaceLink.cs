using K8shell.Contracts.Workspace.V1;
using Grpc.Core;

namespace K8shell.SshProxy.Workspaces;

/// <summary>
/// A workspace's k8shelld, handshaken for this connection. Every call through <see cref="Processes"/>
/// and <see cref="Tunnels"/> already carries the user's token (audience k8shelld).
/// </summary>
internal sealed class WorkspaceLink(string workspace, string blueprint, HandshakeResponse daemon, CallInvoker calls)
{
    /// <summary>Canonical ID.</summary>
    public string Workspace { get; } = workspace;

    public string Blueprint { get; } = blueprint;

    /// <summary>What the daemon said about itself: version, user, home, shell.</summary>
    public HandshakeResponse Daemon { get; } = daemon;

    public ProcessService.ProcessServiceClient Processes { get; } = new(calls);

    public TunnelService.TunnelServiceClient Tunnels { get; } = new(calls);
}
