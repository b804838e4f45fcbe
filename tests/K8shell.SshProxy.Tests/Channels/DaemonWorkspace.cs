using Grpc.Net.Client;
using K8shell.Contracts.Workspace.V1;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>The workspace of one test connection: the harness's real k8shelld, handshaken once on first use, or a failure the test chose.</summary>
internal sealed class DaemonWorkspace(GrpcChannel daemon, string sessionId, Func<string?> failure) : IWorkspaceAccess
{
    private Task<WorkspaceLink>? _link;

    public async ValueTask<WorkspaceLink> GetAsync(WorkspaceTerminal? terminal, CancellationToken cancellationToken)
    {
        if (failure() is { } message)
        {
            throw new WorkspaceUnavailableException(message);
        }
        return await (_link ??= HandshakeAsync());
    }

    private async Task<WorkspaceLink> HandshakeAsync()
    {
        var handshake = await new SystemService.SystemServiceClient(daemon).HandshakeAsync(new HandshakeRequest
        {
            ClientVersion = "K8shell.SshProxy.Tests", SessionId = sessionId, Username = ChannelHarness.Owner, ClientIp = "127.0.0.1",
        });
        return new WorkspaceLink(handshake.Workspace, "dev", handshake, daemon.CreateCallInvoker());
    }
}
