using System.Net;
using System.Net.Sockets;

namespace K8shell.AppHost.Running;

/// <summary>Random internal ports, as Aspire's run mode assigns them.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
