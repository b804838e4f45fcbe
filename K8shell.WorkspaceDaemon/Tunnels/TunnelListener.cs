using System.Net;
using System.Net.Sockets;
using K8shell.Contracts.Workspace.V1;
using K8shell.WorkspaceDaemon.Processes.Native;
using K8shell.WorkspaceDaemon.Security;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>
/// The listening sockets of one Listen call (two for loopback: IPv4 and IPv6, on the same port),
/// closed together when the call ends. Closing a Unix listener also unlinks its socket file: .NET
/// does that for a socket it bound to a path.
/// </summary>
internal sealed class TunnelListener : IDisposable
{
    private readonly IReadOnlyList<Socket> _sockets;

    private TunnelListener(IReadOnlyList<Socket> sockets, Listening listening)
    {
        _sockets = sockets;
        Listening = listening;
        Address = string.Join(", ", sockets.Select(socket => socket.LocalEndPoint));
    }

    /// <summary>Where it listens, as the first event of the call tells the proxy.</summary>
    public Listening Listening { get; }

    /// <summary>Whether an accepted connection may be announced; others are closed. Everyone, unless <see cref="Guard"/> said otherwise.</summary>
    public Func<Socket, bool> Admits { get; private set; } = _ => true;

    private Action? _closed;

    /// <summary>
    /// Admits only connections <paramref name="admits"/> accepts, and runs <paramref name="closed"/> once
    /// the sockets are closed (an agent socket: its ancestry check and its directory).
    /// </summary>
    public TunnelListener Guard(Func<Socket, bool> admits, Action closed)
    {
        Admits = admits;
        _closed = closed;
        return this;
    }

    /// <summary>Where it listens, for logs: "127.0.0.1:8080, [::1]:8080" or the socket path.</summary>
    public string Address { get; }

    /// <summary>
    /// Binds <paramref name="bindAddress"/> as in tcpip-forward: "" and "localhost" are loopback, "*"
    /// and "0.0.0.0" every interface; port 0 picks a free port. Only the first address must succeed
    /// (a host without IPv6 still gets its IPv4 loopback).
    /// </summary>
    public static async Task<TunnelListener> BindTcpAsync(string bindAddress, int port, ILogger logger, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = bindAddress switch
        {
            "" or "localhost" => [IPAddress.Loopback, IPAddress.IPv6Loopback],
            "*" => [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any],
            _ => await SocketDialer.ResolveAsync(bindAddress, cancellationToken),
        };
        var sockets = new List<Socket>();
        foreach (var address in addresses)
        {
            var endPoint = new IPEndPoint(address, port);
            Socket? socket = null;
            try
            {
                socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (bindAddress == "*" && address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = true;
                }
                socket.Bind(endPoint);
                socket.Listen();
                sockets.Add(socket);
                // The next addresses take the same port, so the caller still forwards one port.
                port = ((IPEndPoint)socket.LocalEndPoint!).Port;
            }
            catch (SocketException failure) when (sockets.Count > 0)
            {
                socket?.Dispose();
                logger.LogDebug("Listening without {Address}: {Reason}", endPoint, failure.Message);
            }
            catch (SocketException failure)
            {
                socket?.Dispose();
                throw SocketFailures.Status(failure, $"listen on {endPoint}");
            }
        }
        return new TunnelListener(sockets, new Listening { Port = (uint)port });
    }

    /// <summary>Binds <paramref name="path"/> with the user's file-system identity: where they may create files, owned by them.</summary>
    public static async Task<TunnelListener> BindUnixAsync(string path, FilesystemIdentity identity)
    {
        var endPoint = UnixSocketPath.ToEndPoint(path);
        var socket = await identity.RunAsync(() =>
        {
            UnixSocketPath.RemoveStale(path, endPoint);
            var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                bound.Bind(endPoint);
                bound.Listen();
                return bound;
            }
            catch (SocketException failure)
            {
                bound.Dispose();
                throw SocketFailures.Status(failure, $"listen on {path}", onPath: true);
            }
        });
        return new TunnelListener([socket], new Listening { Path = path });
    }

    /// <summary>
    /// Accepts on every socket until cancelled or one fails. Each connection is handed to
    /// <paramref name="accepted"/>, awaited before that socket accepts again: while the caller does not
    /// take them, new connections wait in the kernel's backlog, not in memory.
    /// </summary>
    public async Task AcceptAllAsync(Func<Socket, Task> accepted, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = _sockets.Select(socket => AcceptLoopAsync(socket, accepted, stop.Token)).ToList();
        // The loops end only by cancellation or failure: either way the others stop too.
        await Task.WhenAny(loops);
        await stop.CancelAsync();
        await Task.WhenAll(loops);
    }

    private async Task AcceptLoopAsync(Socket listening, Func<Socket, Task> accepted, CancellationToken cancellationToken)
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await listening.AcceptAsync(cancellationToken);
            }
            catch (SocketException failure) when (failure.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                // The peer gave up before we accepted; the listener is fine.
                continue;
            }
            catch (SocketException failure)
            {
                throw SocketFailures.Status(failure, $"accept on {Address}");
            }
            try
            {
                if (connection.AddressFamily != AddressFamily.Unix)
                {
                    // As for dialed connections: the bytes come batched already, Nagle would only delay them.
                    connection.NoDelay = true;
                }
            }
            catch (SocketException)
            {
                // Gone before it could be set up; the listener is fine.
                connection.Dispose();
                continue;
            }
            await accepted(connection);
        }
    }

    /// <summary>The process that connected to a Unix socket (SO_PEERCRED), for the logs; 0 when unknown.</summary>
    public static uint PeerProcessId(Socket connection)
    {
        Span<byte> credentials = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            return connection.GetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_PEERCRED, credentials) == credentials.Length
                ? (uint)Math.Max(BitConverter.ToInt32(credentials), 0)
                : 0;
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        _closed?.Invoke();
    }
}
