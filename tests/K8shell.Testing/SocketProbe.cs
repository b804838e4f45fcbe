using System.Net;
using System.Net.Sockets;

namespace K8shell.Testing;

/// <summary>Whether a server takes connections yet: a bound port or an existing socket file is not enough (bind() comes before listen()).</summary>
public static class SocketProbe
{
    /// <summary>Whether a connection to <paramref name="endPoint"/> (TCP or a Unix socket) succeeds now.</summary>
    public static async Task<bool> AcceptsAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        using var probe = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            await probe.ConnectAsync(endPoint, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false; // nothing there, or bound and not listening yet
        }
    }
}
