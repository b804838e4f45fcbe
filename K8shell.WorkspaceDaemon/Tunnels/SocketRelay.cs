using System.Buffers;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>
/// Carries one connection's bytes both ways between a socket and a tunnel call (DialTcp, DialUnix,
/// Accept), with EOF explicit in each direction. Each direction awaits its consumer before reading
/// more, so a slow reader on either side slows the other instead of filling memory.
/// </summary>
internal sealed class SocketRelay(Socket socket)
{
    /// <summary>Large enough to keep a fast connection busy, small enough to stay a single gRPC message.</summary>
    private const int ChunkSize = 32 * 1024;

    /// <summary>Bytes the caller sent that were written to the socket (for the log).</summary>
    public long BytesToSocket { get; private set; }

    /// <summary>Bytes read from the socket and sent to the caller.</summary>
    public long BytesFromSocket { get; private set; }

    /// <summary>The addresses the caller puts in its logs and captures, sent before any data.</summary>
    public TunnelOpened Opened()
    {
        var (localAddress, localPort) = EndPointText.Of(socket.LocalEndPoint);
        var (remoteAddress, remotePort) = EndPointText.Of(socket.RemoteEndPoint);
        return new TunnelOpened { LocalAddress = localAddress, LocalPort = localPort, RemoteAddress = remoteAddress, RemotePort = remotePort };
    }

    /// <summary>
    /// Relays until both directions saw EOF. A failure in one direction stops the other and ends the
    /// call with it; the socket stays the caller's to close.
    /// </summary>
    public async Task RunAsync<TRequest>(IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TunnelResponse> responses,
        CancellationToken cancellationToken) where TRequest : ITunnelRequest
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toSocket = StopOtherOnFailure(ToSocketAsync(requests, stop.Token), stop);
        var fromSocket = StopOtherOnFailure(FromSocketAsync(responses, stop.Token), stop);
        // A direction stopped because of the other ends as cancelled, so the real failure is the one thrown.
        await Task.WhenAll(toSocket, fromSocket);
    }

    private static async Task StopOtherOnFailure(Task direction, CancellationTokenSource stop)
    {
        try
        {
            await direction;
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private async Task ToSocketAsync<TRequest>(IAsyncStreamReader<TRequest> requests, CancellationToken cancellationToken)
        where TRequest : ITunnelRequest
    {
        // The end of the request stream counts as EOF too: the caller will send nothing more.
        while (await requests.MoveNext(cancellationToken))
        {
            var request = requests.Current;
            if (request.Eof is not null)
            {
                break;
            }
            if (!request.HasData)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "after the first message only data and eof may follow"));
            }
            try
            {
                // Awaited before the next request is read: HTTP/2 flow control then holds the caller back.
                await socket.SendAsync(request.Data.Memory, SocketFlags.None, cancellationToken);
            }
            catch (SocketException failure)
            {
                throw SocketFailures.Status(failure, "write");
            }
            BytesToSocket += request.Data.Length;
        }
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The peer is gone already; the other direction reports how.
        }
    }

    private async Task FromSocketAsync(IServerStreamWriter<TunnelResponse> responses, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer.AsMemory(0, ChunkSize), SocketFlags.None, cancellationToken);
                }
                catch (SocketException failure)
                {
                    throw SocketFailures.Status(failure, "read");
                }
                if (read == 0)
                {
                    await responses.WriteAsync(new TunnelResponse { Eof = new TunnelEof() }, cancellationToken);
                    return;
                }
                // Awaited before the next read: a caller that stops reading stops this socket's reads. Wrapped,
                // not copied: the message is serialised before WriteAsync returns and the buffer is reused.
                await responses.WriteAsync(new TunnelResponse { Data = UnsafeByteOperations.UnsafeWrap(buffer.AsMemory(0, read)) }, cancellationToken);
                BytesFromSocket += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
