using System.Net.Sockets;
using Grpc.Core;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>
/// Turns a socket error into the status the proxy relays to the SSH client: a code it can act on and
/// the system's text ("connect to db:5432: Connection refused"), as OpenSSH would print it.
/// </summary>
internal static class SocketFailures
{
    /// <summary>
    /// The status for <paramref name="failure"/> while <paramref name="doing"/> ("connect to db:5432").
    /// <paramref name="onPath"/> says the socket is a Unix socket path, where .NET reports ENOENT as EADDRNOTAVAIL.
    /// </summary>
    public static RpcException Status(SocketException failure, string doing, bool onPath = false)
    {
        var (code, text) = failure.SocketErrorCode switch
        {
            SocketError.AddressNotAvailable when onPath => (StatusCode.NotFound, "No such file or directory"),
            SocketError.AddressNotAvailable => (StatusCode.Unavailable, "Cannot assign requested address"),
            SocketError.ConnectionRefused => (StatusCode.Unavailable, "Connection refused"),
            SocketError.HostUnreachable => (StatusCode.Unavailable, "No route to host"),
            SocketError.NetworkUnreachable => (StatusCode.Unavailable, "Network is unreachable"),
            SocketError.TimedOut => (StatusCode.Unavailable, "Connection timed out"),
            SocketError.ConnectionReset => (StatusCode.Unavailable, "Connection reset by peer"),
            SocketError.AccessDenied => (StatusCode.PermissionDenied, "Permission denied"),
            SocketError.AddressAlreadyInUse => (StatusCode.AlreadyExists, "Address already in use"),
            // The resolver's own words: "Name or service not known".
            SocketError.HostNotFound or SocketError.NoData => (StatusCode.NotFound, failure.Message),
            _ => (StatusCode.Unavailable, failure.Message),
        };
        return new RpcException(new Status(code, $"{doing}: {text}"));
    }
}
