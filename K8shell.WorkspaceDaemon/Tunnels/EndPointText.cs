using System.Net;
using System.Net.Sockets;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>A socket end point as the proxy logs it and puts it in forwarded-tcpip: an address (or socket path) and a port.</summary>
internal static class EndPointText
{
    public static (string Address, uint Port) Of(EndPoint? endPoint) => endPoint switch
    {
        // Dual-stack listeners see IPv4 peers as ::ffff:a.b.c.d; SSH clients expect a.b.c.d.
        IPEndPoint ip => ((ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(), (uint)ip.Port),
        UnixDomainSocketEndPoint unix => (unix.ToString(), 0u),
        _ => ("", 0u),
    };
}
