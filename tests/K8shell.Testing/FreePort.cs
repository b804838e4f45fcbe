using System.Net;
using AppHostPorts = K8shell.AppHost.Running.FreePort;

namespace K8shell.Testing;

/// <summary>Loopback ports for servers whose own "port 0" cannot be read back.</summary>
public static class FreePort
{
    /// <summary>
    /// A port free on 127.0.0.1 now, chosen as the AppHost chooses its resources' ports: at random below the kernel's
    /// ephemeral range. One the kernel hands out for port 0 comes from that range, and any process's outgoing
    /// connection could be given it before the server binds it (seen: a restarted Sessions' "address already in use").
    /// </summary>
    public static int Next()
    {
        var port = AppHostPorts.Next();
        AppHostPorts.Release(port); // the test's server binds it, not this process
        return port;
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> now.</summary>
    public static Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellationToken) =>
        SocketProbe.AcceptsAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
}
