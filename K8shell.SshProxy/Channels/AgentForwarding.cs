using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// The connection's agent socket in the workspace (OpenSSH PROTOCOL.agent): created once, on the first
/// session that asks and is allowed to; each process that connects to it gets an
/// auth-agent@openssh.com channel to the client's agent. A denial silently leaves the agent out.
/// </summary>
internal sealed class AgentForwarding(ConnectionChannels connection)
{
    public const string ChannelType = "auth-agent@openssh.com";

    private readonly Lock _gate = new();
    private Task<bool>? _listening;

    /// <summary>Whether the session's program gets SSH_AUTH_SOCK.</summary>
    public async ValueTask<bool> EnableAsync(WorkspaceLink link)
    {
        var decision = await connection.AuthorizeAsync("ssh:agent-forward");
        if (!decision.Allowed)
        {
            connection.Logger.LogInformation("Session {SessionId}: agent forwarding denied: {Reason}", connection.Connection.SessionId, decision.Reason);
            return false;
        }
        Task<bool> listening;
        lock (_gate)
        {
            listening = _listening ??= ListenAsync(link);
        }
        return await listening;
    }

    private async Task<bool> ListenAsync(WorkspaceLink link)
    {
        var proxy = connection.Connection;
        var request = new ListenRequest { SessionId = proxy.SessionId, StreamId = proxy.NextStreamId(ConnectionTraffic.UnixSocket), Agent = new AgentListener() };
        try
        {
            var (listening, serving) = await WorkspaceListener.ListenAsync(connection, link, request, ChannelType, (_, _) => ReadOnlyMemory<byte>.Empty,
                ConnectionTraffic.AgentForward, connection.Lifetime);
            connection.Track(serving);
            proxy.Traffic.AddOperation(ConnectionTraffic.AgentForward);
            connection.Logger.LogInformation("Session {SessionId}: agent socket at {Path}", proxy.SessionId, listening.Path);
            return true;
        }
        catch (RpcException failure)
        {
            connection.Logger.LogWarning("Session {SessionId}: no agent socket: {Reason}", proxy.SessionId, failure.Status.Detail);
            return false;
        }
    }
}
