using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// A listener inside the workspace (TunnelService.Listen: <c>ssh -R</c>, streamlocal-forward, the agent
/// socket): each connection it accepts becomes a channel toward the client, bridged with Accept.
/// </summary>
internal static class WorkspaceListener
{
    /// <summary>
    /// Starts listening and returns where (the <c>listening</c> event) once the daemon says so, with
    /// the task that serves its connections until <paramref name="stopped"/> or the connection ends.
    /// <paramref name="describe"/> gives the channel-open data for one connection.
    /// </summary>
    public static async Task<(Listening Listening, Task Serving)> ListenAsync(ConnectionChannels connection, WorkspaceLink link, ListenRequest request,
        string channelType, Func<Listening, IncomingConnection, ReadOnlyMemory<byte>> describe, string operation, CancellationToken stopped)
    {
        var call = link.Tunnels.Listen(request, cancellationToken: stopped);
        try
        {
            if (!await call.ResponseStream.MoveNext(stopped) || call.ResponseStream.Current.EventCase != ListenEvent.EventOneofCase.Listening)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the workspace ended the listener before it listened"));
            }
        }
        catch
        {
            call.Dispose();
            throw;
        }
        var listening = call.ResponseStream.Current.Listening;
        return (listening, ServeAsync(connection, link, call, channelType, incoming => describe(listening, incoming), operation, stopped));
    }

    private static async Task ServeAsync(ConnectionChannels connection, WorkspaceLink link, AsyncServerStreamingCall<ListenEvent> call, string channelType,
        Func<IncomingConnection, ReadOnlyMemory<byte>> describe, string operation, CancellationToken stopped)
    {
        var bridges = new List<Task>();
        using (call)
        {
            try
            {
                while (await call.ResponseStream.MoveNext(stopped))
                {
                    if (call.ResponseStream.Current.EventCase == ListenEvent.EventOneofCase.Incoming)
                    {
                        var incoming = call.ResponseStream.Current.Incoming;
                        bridges.RemoveAll(bridge => bridge.IsCompleted);
                        // A cancelled forward stops listening; connections it already carries go on until the connection ends.
                        bridges.Add(BridgeAsync(connection, link, incoming, channelType, describe(incoming), operation));
                    }
                }
            }
            catch (Exception ended) when (ended is RpcException or OperationCanceledException)
            {
                connection.Logger.LogDebug("Session {SessionId}: listener for {Type} ended: {Reason}", connection.Connection.SessionId, channelType, ended.Message);
            }
        }
        await Task.WhenAll(bridges);
    }

    private static async Task BridgeAsync(ConnectionChannels connection, WorkspaceLink link, IncomingConnection incoming, string channelType,
        ReadOnlyMemory<byte> openData, string operation)
    {
        var proxy = connection.Connection;
        try
        {
            var channel = await proxy.Ssh.OpenChannelAsync(channelType, openData, connection.Lifetime);
            var call = link.Tunnels.Accept(cancellationToken: connection.Lifetime);
            await call.RequestStream.WriteAsync(new AcceptRequest { ConnectionId = incoming.ConnectionId }, connection.Lifetime);
            proxy.Traffic.AddOperation(operation);
            await TunnelRequests.Relay(channel, call, proxy.Traffic).RunAsync(connection.Lifetime);
        }
        catch (Exception failure) when (failure is SshChannelOpenFailedException or RpcException or IOException or OperationCanceledException)
        {
            // The client refused the channel (the daemon drops an unclaimed connection), or either side went away.
            connection.Logger.LogInformation("Session {SessionId}: {Type} for connection {ConnectionId} not carried: {Reason}",
                proxy.SessionId, channelType, incoming.ConnectionId, failure.Message);
        }
    }
}
