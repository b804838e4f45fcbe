using System.Net.Sockets;
using Grpc.Core;
using K8shell.WorkspaceDaemon.Processes.Native;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>The path of a Unix socket the caller dials or listens on, checked before use.</summary>
internal static class UnixSocketPath
{
    private const int FileTypeMask = 0xF000; // S_IFMT
    private const int SocketFileType = 0xC000; // S_IFSOCK

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

    /// <summary>
    /// Clears the way for a listener: a socket file left behind by a listener that died is removed
    /// (else a client re-creating its forward would get "address in use" forever), but nothing else
    /// ever is — not a regular file, a symbolic link, or a socket something still listens on.
    /// </summary>
    public static void RemoveStale(string path, UnixDomainSocketEndPoint endPoint)
    {
        var type = FileType(path);
        if (type is null)
        {
            return;
        }
        if (type != SocketFileType)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"listen on {path}: the path exists and is not a socket"));
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endPoint); // a Unix socket answers or refuses at once
        }
        catch (SocketException failure) when (failure.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nobody listens: stale.
            File.Delete(path);
            return;
        }
        catch (SocketException failure)
        {
            throw SocketFailures.Status(failure, $"listen on {path}", onPath: true);
        }
        throw new RpcException(new Status(StatusCode.AlreadyExists, $"listen on {path}: another program listens on it"));
    }

    /// <summary>The S_IFMT bits of <paramref name="path"/> itself (links not followed); null when nothing is there or it cannot be seen.</summary>
    private static unsafe int? FileType(string path)
    {
        var buffer = stackalloc byte[256];
        // Missing or unreadable: bind will say which.
        return LibC.statx(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_TYPE, buffer) == 0 ? *(ushort*)(buffer + 28) & FileTypeMask : null;
    }
}
