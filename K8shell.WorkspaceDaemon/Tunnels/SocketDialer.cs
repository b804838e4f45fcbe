using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using K8shell.WorkspaceDaemon.Security;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>Opens the connections DialTcp and DialUnix ask for; failures come out as the status for the caller.</summary>
internal static class SocketDialer
{
    /// <summary>Resolves <paramref name="host"/> and tries each of its addresses in turn, as ssh does.</summary>
    public static async Task<Socket> ConnectTcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        SocketException? lastFailure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
                // The caller's bytes arrive already batched (SSH packets); Nagle would only add latency to interactive use.
                socket.NoDelay = true;
                return socket;
            }
            catch (SocketException failure)
            {
                socket.Dispose();
                lastFailure = failure;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw SocketFailures.Status(lastFailure!, $"connect to {host}:{port}");
    }

    /// <summary>An address literal as it is, a name through the resolver: at least one address, or a status saying why not.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException failure)
        {
            throw SocketFailures.Status(failure, $"resolve {host}");
        }
        return addresses.Length > 0 ? addresses : throw new RpcException(new Status(StatusCode.NotFound, $"resolve {host}: no addresses"));
    }

    /// <summary>Connects with the user's file-system identity: only to sockets the user may write to.</summary>
    public static Task<Socket> ConnectUnixAsync(string path, FilesystemIdentity identity)
    {
        var endPoint = UnixSocketPath.ToEndPoint(path);
        return identity.RunAsync(() =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(endPoint); // a Unix socket answers or refuses at once
                return socket;
            }
            catch (SocketException failure)
            {
                socket.Dispose();
                throw SocketFailures.Status(failure, $"connect to {path}", onPath: true);
            }
        });
    }
}
