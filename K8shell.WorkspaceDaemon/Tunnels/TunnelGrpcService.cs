using System.Net.Sockets;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>
/// TunnelService: connections from inside the workspace (<c>ssh -L</c>, <c>-W</c>, <c>-D</c>,
/// direct-streamlocal). The log says who went where and how it ended, never what was sent.
/// Listen and Accept are still Unimplemented.
/// </summary>
internal sealed class TunnelGrpcService(ILogger<TunnelGrpcService> logger)
    : TunnelService.TunnelServiceBase
{
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
            socket = await SocketDialer.ConnectUnixAsync(destination.Path, cancellationToken);
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
