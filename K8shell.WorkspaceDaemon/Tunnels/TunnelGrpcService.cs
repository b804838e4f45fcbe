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
        var destination = (await FirstAsync(requestStream, request => request.MessageCase == DialTcpRequest.MessageOneofCase.Destination, "destination", cancellationToken))
            .Destination;
        var host = destination.Host is { Length: > 0 } given ? given : "localhost";
        if (destination.Port is 0 or > ushort.MaxValue)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"port {destination.Port} is not a TCP port"));
        }
        var tunnel = $"{destination.StreamId} ({destination.SessionId}) for {destination.OriginatorHost}:{destination.OriginatorPort} to {host}:{destination.Port}";
        await DialAsync(() => SocketDialer.ConnectTcpAsync(host, (int)destination.Port, cancellationToken), requestStream, responseStream, tunnel, cancellationToken);
    }

    public override async Task DialUnix(IAsyncStreamReader<DialUnixRequest> requestStream, IServerStreamWriter<TunnelResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var destination = (await FirstAsync(requestStream, request => request.MessageCase == DialUnixRequest.MessageOneofCase.Destination, "destination", cancellationToken))
            .Destination;
        var tunnel = $"{destination.StreamId} ({destination.SessionId}) to {destination.Path}";
        await DialAsync(() => SocketDialer.ConnectUnixAsync(destination.Path, identity), requestStream, responseStream, tunnel, cancellationToken);
    }

    /// <summary>Connects, logs how, and relays; a refused connection ends the call with its status, logged.</summary>
    private async Task DialAsync<TRequest>(Func<Task<Socket>> connect, IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TunnelResponse> responses,
        string tunnel, CancellationToken cancellationToken) where TRequest : ITunnelRequest
    {
        Socket socket;
        try
        {
            socket = await connect();
        }
        catch (RpcException failure)
        {
            logger.LogWarning("Tunnel {Tunnel} failed: {Reason}", tunnel, failure.Status.Detail);
            throw;
        }
        using (socket)
        {
            logger.LogInformation("Tunnel {Tunnel} connected to {Remote}", tunnel, socket.RemoteEndPoint);
            await RelayAsync(socket, requests, responses, tunnel, cancellationToken);
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
            await AnnounceConnectionsAsync(listener, responseStream, listenerClosed.Token, cancellationToken);
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
        var id = (await FirstAsync(requestStream, request => request.MessageCase == AcceptRequest.MessageOneofCase.ConnectionId, "connection_id", cancellationToken))
            .ConnectionId;
        using var connection = pending.Claim(id);
        if (connection is null)
        {
            logger.LogWarning("Accept of connection {ConnectionId} refused: not waiting to be claimed", id);
            throw new RpcException(new Status(StatusCode.NotFound, $"connection {id} is not waiting: unknown, expired or claimed already"));
        }
        await RelayAsync(connection, requestStream, responseStream, $"connection {id}", cancellationToken);
    }

    /// <summary>Registers each accepted connection for Accept and tells the caller about it; one event at a time, as gRPC requires.</summary>
    private async Task AnnounceConnectionsAsync(TunnelListener listener, IServerStreamWriter<ListenEvent> responseStream,
        CancellationToken listenerClosed, CancellationToken cancellationToken)
    {
        using var oneWriter = new SemaphoreSlim(1);
        await listener.AcceptAllAsync(async connection =>
        {
            if (!listener.Admits(connection))
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

    /// <summary>The call's first message, which must be <paramref name="field"/> (else InvalidArgument).</summary>
    private static async Task<TRequest> FirstAsync<TRequest>(IAsyncStreamReader<TRequest> requests, Func<TRequest, bool> isExpected, string field,
        CancellationToken cancellationToken) =>
        await requests.MoveNext(cancellationToken) && isExpected(requests.Current)
            ? requests.Current
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"the first message must be the {field}"));
}
