using System.Net;
using System.Net.Sockets;

namespace K8shell.Testing;

/// <summary>Loopback ports for servers whose own "port 0" cannot be read back.</summary>
public static class FreePort
{
    /// <summary>A port the kernel just handed out on 127.0.0.1; another process could take it before us, rarely.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> now.</summary>
    public static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
