using System.Net.Sockets;
using Grpc.Core;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>The path of a Unix socket the caller dials or listens on, checked before use.</summary>
internal static class UnixSocketPath
{
    /// <summary>The endpoint for <paramref name="path"/>, which must be absolute: the daemon's working directory means nothing to the client.</summary>
    public static UnixDomainSocketEndPoint ToEndPoint(string path)
    {
        if (!Path.IsPathFullyQualified(path))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the socket path \"{path}\" must be absolute"));
        }
        try
        {
            return new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the socket path \"{path}\" is too long for a Unix socket"));
        }
    }
}
