using System.Net.Sockets;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.WorkspaceDaemon.Agent;
using K8shell.WorkspaceDaemon.Security;
using K8shell.WorkspaceDaemon.Workspace;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>
/// TunnelService: connections from inside the workspace (<c>ssh -L</c>, <c>-W</c>, <c>-D</c>,
/// direct-streamlocal) and listeners inside it (<c>ssh -R</c>, streamlocal-forward) whose connections
/// the proxy claims one by one. The log says who went where and how it ended, never what was sent.
/// </summary>
internal sealed class TunnelGrpcService(
    PendingConnections pending,
    AgentSockets agents,
    IHostApplicationLifetime lifetime,
    WorkspaceAccount account,
    FilesystemIdentity identity,
    ILogger<TunnelGrpcService> logger) : TunnelService.TunnelServiceBase
{
    private const uint PrivilegedPortsEnd = 1024;

    public override async Task DialTcp(IAsyncStreamReader<DialTcpRequest> requestStream, IServerStreamWriter<TunnelResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var first = await FirstAsync(requestStream, cancellationToken);
        if (first?.MessageCase != DialTcpRequest.MessageOneofCase.Destination)
        {
            throw FirstMessageMustBe("destination");
        }
        var destination = first.Destination;
        var host = destination.Host is { Length: > 0 } given ? given : "localhost";
        if (destination.Port is 0 or > ushort.MaxValue)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"port {destination.Port} is not a TCP port"));
        }
        var tunnel = $"{destination.StreamId} ({destination.SessionId}) to {host}:{destination.Port}";
        Socket socket;
        try
        {
            socket = await SocketDialer.ConnectTcpAsync(host, (int)destination.Port, cancellationToken);
        }
        catch (RpcException failure)
        {
            logger.LogWarning("Tunnel {Tunnel} for {Originator}:{OriginatorPort} failed: {Reason}", tunnel,
                destination.OriginatorHost, destination.OriginatorPort, failure.Status.Detail);
            throw;
        }
        using (socket)
        {
            logger.LogInformation("Tunnel {Tunnel} for {Originator}:{OriginatorPort} connected to {Remote}", tunnel,
                destination.OriginatorHost, destination.OriginatorPort, socket.RemoteEndPoint);
            await RelayAsync(socket, requestStream, responseStream, tunnel, cancellationToken);
        }
    }

    public override async Task DialUnix(IAsyncStreamReader<DialUnixRequest> requestStream, IServerStreamWriter<TunnelResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var first = await FirstAsync(requestStream, cancellationToken);
        if (first?.MessageCase != DialUnixRequest.MessageOneofCase.Destination)
        {
            throw FirstMessageMustBe("destination");
        }
        var destination = first.Destination;
        var tunnel = $"{destination.StreamId} ({destination.SessionId}) to {destination.Path}";
        Socket socket;
        try
        {
            socket = await SocketDialer.ConnectUnixAsync(destination.Path, identity);
        }
        catch (RpcException failure)
        {
            logger.LogWarning("Tunnel {Tunnel} failed: {Reason}", tunnel, failure.Status.Detail);
            throw;
        }
        using (socket)
        {
            logger.LogInformation("Tunnel {Tunnel} connected", tunnel);
            await RelayAsync(socket, requestStream, responseStream, tunnel, cancellationToken);
        }
    }

    public override async Task Listen(ListenRequest request, IServerStreamWriter<ListenEvent> responseStream, ServerCallContext context)
    {
        // Ends with the call, and with the daemon: a listener must not hold up its shutdown.
        using var callEnded = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancellationToken = callEnded.Token;
        // Cancelled only once the listener is closed, so a connection it dropped never races one it still accepts.
        using var listenerClosed = new CancellationTokenSource();
        var name = $"{request.StreamId} ({request.SessionId})";
        TunnelListener listener;
        try
        {
            listener = request.ListenerCase switch
            {
                ListenRequest.ListenerOneofCase.Tcp when request.Tcp.Port > ushort.MaxValue =>
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"port {request.Tcp.Port} is not a TCP port")),
                // The daemon may be root, the workspace user is not: sshd refuses them privileged ports too.
                ListenRequest.ListenerOneofCase.Tcp when request.Tcp.Port is > 0 and < PrivilegedPortsEnd && account.SwitchFromRoot =>
                    throw new RpcException(new Status(StatusCode.PermissionDenied, $"port {request.Tcp.Port}: ports below {PrivilegedPortsEnd} are for root only")),
                ListenRequest.ListenerOneofCase.Tcp => await TunnelListener.BindTcpAsync(request.Tcp.BindAddress, (int)request.Tcp.Port, logger, cancellationToken),
                ListenRequest.ListenerOneofCase.Unix => await TunnelListener.BindUnixAsync(request.Unix.Path, identity),
                ListenRequest.ListenerOneofCase.Agent => await agents.ListenAsync(request.SessionId),
                _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "say what to listen on: tcp, unix or agent")),
            };
        }
        catch (RpcException failure)
        {
            logger.LogWarning("Listener {Listener} refused: {Reason}", name, failure.Status.Detail);
            throw;
        }

        logger.LogInformation("Listener {Listener} listens on {Address}", name, listener.Address);
        try
        {
            await responseStream.WriteAsync(new ListenEvent { Listening = listener.Listening }, cancellationToken);
            // An agent socket admits only the connection's own processes; other listeners, whoever connects.
            Func<Socket, bool> admit = request.ListenerCase == ListenRequest.ListenerOneofCase.Agent ? connection => agents.Admits(connection, request.SessionId) : _ => true;
            await AnnounceConnectionsAsync(listener, admit, responseStream, listenerClosed.Token, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Listener {Listener} on {Address} closed: {Reason}", name, listener.Address,
                context.CancellationToken.IsCancellationRequested ? "the caller cancelled" : "the daemon is stopping");
        }
        catch (Exception failure)
        {
            logger.LogWarning("Listener {Listener} on {Address} failed: {Reason}", name, listener.Address, failure.Message);
            throw;
        }
        finally
        {
            // Stop listening first (a Unix listener's socket file goes with it), then close the connections nobody claimed.
            listener.Dispose();
            await listenerClosed.CancelAsync();
            if (request.ListenerCase == ListenRequest.ListenerOneofCase.Agent)
            {
                agents.Remove(request.SessionId);
            }
        }
        if (!context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the workspace is shutting down"));
        }
    }

    public override async Task Accept(IAsyncStreamReader<AcceptRequest> requestStream, IServerStreamWriter<TunnelResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var first = await FirstAsync(requestStream, cancellationToken);
        if (first?.MessageCase != AcceptRequest.MessageOneofCase.ConnectionId)
        {
            throw FirstMessageMustBe("connection_id");
        }
        var id = first.ConnectionId;
        using var connection = pending.Claim(id);
        if (connection is null)
        {
            logger.LogWarning("Accept of connection {ConnectionId} refused: not waiting to be claimed", id);
            throw new RpcException(new Status(StatusCode.NotFound, $"connection {id} is not waiting: unknown, expired or claimed already"));
        }
        await RelayAsync(connection, requestStream, responseStream, $"connection {id}", cancellationToken);
    }

    /// <summary>Registers each accepted connection for Accept and tells the caller about it; one event at a time, as gRPC requires.</summary>
    private async Task AnnounceConnectionsAsync(TunnelListener listener, Func<Socket, bool> admit, IServerStreamWriter<ListenEvent> responseStream,
        CancellationToken listenerClosed, CancellationToken cancellationToken)
    {
        using var oneWriter = new SemaphoreSlim(1);
        await listener.AcceptAllAsync(async connection =>
        {
            if (!admit(connection))
            {
                connection.Dispose();
                return;
            }
            var incoming = new IncomingConnection { ConnectionId = pending.Add(connection, listener.Address, listenerClosed) };
            if (connection.AddressFamily == AddressFamily.Unix)
            {
                incoming.PeerPid = TunnelListener.PeerProcessId(connection);
            }
            else
            {
                (incoming.OriginatorHost, incoming.OriginatorPort) = EndPointText.Of(connection.RemoteEndPoint);
            }
            logger.LogInformation("Listener on {Address} accepted connection {ConnectionId} from {Originator}", listener.Address,
                incoming.ConnectionId, connection.AddressFamily == AddressFamily.Unix ? $"pid {incoming.PeerPid}" : $"{incoming.OriginatorHost}:{incoming.OriginatorPort}");
            await oneWriter.WaitAsync(cancellationToken);
            try
            {
                await responseStream.WriteAsync(new ListenEvent { Incoming = incoming }, cancellationToken);
            }
            finally
            {
                oneWriter.Release();
            }
        }, cancellationToken);
    }

    /// <summary>Sends where the connection goes, then relays it; logs how it ended and how many bytes went each way.</summary>
    private async Task RelayAsync<TRequest>(Socket socket, IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TunnelResponse> responses,
        string tunnel, CancellationToken cancellationToken) where TRequest : ITunnelRequest
    {
        var relay = new SocketRelay(socket);
        var ending = "both sides sent EOF";
        try
        {
            await responses.WriteAsync(new TunnelResponse { Opened = relay.Opened() }, cancellationToken);
            await relay.RunAsync(requests, responses, cancellationToken);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away (channel closed, proxy gone): closing the socket is all that is left to do.
            ending = "the caller went away";
        }
        catch (Exception failure)
        {
            ending = failure is RpcException status ? status.Status.Detail : failure.Message;
            throw;
        }
        finally
        {
            logger.LogInformation("Tunnel {Tunnel} closed ({Ending}): {BytesToSocket} bytes written to the socket, {BytesFromSocket} read from it",
                tunnel, ending, relay.BytesToSocket, relay.BytesFromSocket);
        }
    }

    private static async Task<TRequest?> FirstAsync<TRequest>(IAsyncStreamReader<TRequest> requests, CancellationToken cancellationToken)
        where TRequest : class =>
        await requests.MoveNext(cancellationToken) ? requests.Current : null;

    private static RpcException FirstMessageMustBe(string field) =>
        new(new Status(StatusCode.InvalidArgument, $"the first message must be the {field}"));
}
