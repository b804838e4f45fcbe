using System.Net;
using K8shell.ServiceDefaults.Networking;

namespace K8shell.SshProxy.Admission;

/// <summary>Whether an address belongs to the public internet: failed logins from elsewhere are not worth banning.</summary>
internal static class AddressScope
{
    private static readonly NetworkList NonPublic = NetworkList.Parse(
    [
        "0.0.0.0/8",          // unspecified, "this network"
        "10.0.0.0/8",         // RFC 1918
        "172.16.0.0/12",      // RFC 1918
        "192.168.0.0/16",     // RFC 1918
        "127.0.0.0/8",        // loopback
        "169.254.0.0/16",     // link-local
        "224.0.0.0/4",        // multicast
        "255.255.255.255/32", // broadcast
        "::/128",             // unspecified
        "::1/128",            // loopback
        "fc00::/7",           // unique local (ULA)
        "fe80::/10",          // link-local
        "ff00::/8",           // multicast
    ]);

    /// <summary>False for private (RFC 1918, ULA), loopback, link-local, multicast and unspecified addresses, IPv4-mapped ones included.</summary>
    public static bool IsPublic(IPAddress address) => !NonPublic.Contains(address);
}
