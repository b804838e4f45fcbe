using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using K8shell.Ssh;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;
using K8shell.Ssh.Wire;

namespace K8shell.Testing.SshHost;

/// <summary>
/// The smallest useful host on the library: sessions run real processes (<see cref="TestSession"/>),
/// direct-tcpip and direct-streamlocal dial out (-L, -W), tcpip-forward and streamlocal-forward
/// listen (-R) and send what they accept back as forwarded channels. Everything else is refused.
/// </summary>
public static class TestHost
{
    /// <summary>A server config with <paramref name="hostKey"/> that accepts exactly one user key ("type base64").</summary>
    public static SshServerConfig AcceptingOnly(HostKey hostKey, string authorizedKey, RekeyLimits? rekeyLimits = null) => new()
    {
        HostKeys = [hostKey],
        PublicKeyCallback = (request, _) => ValueTask.FromResult(request.Key.AuthorizedKey == authorizedKey ? AuthDecision.Accept() : AuthDecision.Reject()),
        RekeyLimits = rekeyLimits ?? RekeyLimits.Default,
    };

    /// <summary>Ports bound for remote forwards, so a test can connect to them.</summary>
    public static ConcurrentQueue<int> ForwardedPorts { get; } = new();

    public static async Task ServeAsync(SshServerConnection connection, CancellationToken cancellationToken)
    {
        var serving = connection.RunAsync(cancellationToken);
        var listeners = new List<Socket>();
        var globals = ServeGlobalRequestsAsync(connection, listeners, cancellationToken);
        var channels = new List<Task>();
        await foreach (var channel in connection.IncomingChannels.ReadAllAsync(cancellationToken))
        {
            switch (channel.Type)
            {
                case "session":
                    var session = new TestSession(await channel.AcceptAsync(cancellationToken), () => ListenForAgentClients(connection, cancellationToken));
                    channels.Add(session.ServeAsync(cancellationToken));
                    break;
                case "direct-tcpip":
                    var tcp = DirectTcpipRequest.Parse(channel.ExtraData);
                    channels.Add(DialAsync(channel, new DnsEndPoint(tcp.Host, (int)tcp.Port), cancellationToken));
                    break;
                case "direct-streamlocal@openssh.com":
                    var unix = DirectStreamLocalRequest.Parse(channel.ExtraData);
                    channels.Add(DialAsync(channel, new UnixDomainSocketEndPoint(unix.SocketPath), cancellationToken));
                    break;
                default:
                    await channel.RejectAsync(ChannelOpenFailureReason.UnknownChannelType, $"{channel.Type} is not served here", cancellationToken);
                    break;
            }
        }
        await serving;
        listeners.ForEach(listener => listener.Dispose());
        await Task.WhenAll(channels);
        await globals;
    }

    private static async Task ServeGlobalRequestsAsync(SshServerConnection connection, List<Socket> listeners, CancellationToken cancellationToken)
    {
        await foreach (var request in connection.GlobalRequests.ReadAllAsync(cancellationToken))
        {
            var reader = new SshReader(request.Payload);
            switch (request.Type)
            {
                case "tcpip-forward":
                    var (address, port) = (reader.ReadUtf8(), reader.ReadUInt32());
                    var tcp = Listen(new IPEndPoint(IPAddress.Loopback, (int)port), listeners);
                    var bound = ((IPEndPoint)tcp.LocalEndPoint!).Port;
                    ForwardedPorts.Enqueue(bound);
                    // RFC 4254 §7.1: when the client asked for port 0, the reply says which port we bound.
                    var response = port == 0 ? SshWriter.Serialize(w => w.WriteUInt32((uint)bound)) : [];
                    await request.ReplyAsync(true, response, cancellationToken);
                    _ = ForwardAcceptedAsync(connection, tcp, "forwarded-tcpip", (writer, origin) =>
                    {
                        var from = (IPEndPoint)origin.RemoteEndPoint!;
                        writer.WriteUtf8(address);
                        writer.WriteUInt32((uint)bound);
                        writer.WriteUtf8(from.Address.ToString());
                        writer.WriteUInt32((uint)from.Port);
                    }, cancellationToken);
                    break;
                case "streamlocal-forward@openssh.com":
                    // OpenSSH PROTOCOL §2.4: listen on a Unix socket path; each accept is a forwarded-streamlocal channel.
                    var path = reader.ReadUtf8();
                    var unix = Listen(new UnixDomainSocketEndPoint(path), listeners);
                    await request.ReplyAsync(true, cancellationToken);
                    _ = ForwardAcceptedAsync(connection, unix, "forwarded-streamlocal@openssh.com", (writer, _) =>
                    {
                        writer.WriteUtf8(path);
                        writer.WriteUtf8("");
                    }, cancellationToken);
                    break;
                default:
                    await request.ReplyAsync(false, cancellationToken);
                    break;
            }
        }
    }

    private static Socket Listen(EndPoint endPoint, List<Socket> listeners)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        listener.Bind(endPoint);
        listener.Listen();
        listeners.Add(listener);
        return listener;
    }

    private static async Task ForwardAcceptedAsync(
        SshServerConnection connection, Socket listener, string channelType, Action<SshWriter, Socket> describe, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptAsync(cancellationToken);
                var extra = SshWriter.Serialize(w => describe(w, socket));
                var channel = await connection.OpenChannelAsync(channelType, extra, cancellationToken);
                _ = PumpSocketAsync(channel, socket, cancellationToken);
            }
        }
        catch (Exception stopped) when (stopped is ObjectDisposedException or SocketException or OperationCanceledException or IOException)
        {
            // The listener stopped with the connection.
        }
    }

    private static async Task DialAsync(NewChannel channel, EndPoint target, CancellationToken cancellationToken)
    {
        var socket = target is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
        }
        catch (SocketException refused)
        {
            socket.Dispose();
            await channel.RejectAsync(ChannelOpenFailureReason.ConnectFailed, refused.Message, cancellationToken);
            return;
        }
        await PumpSocketAsync(await channel.AcceptAsync(cancellationToken), socket, cancellationToken);
    }

    /// <summary>Bytes both ways between a channel and a socket, half-closes included.</summary>
    private static async Task PumpSocketAsync(SshChannel channel, Socket socket, CancellationToken cancellationToken)
    {
        using (socket)
        {
            var toSocket = Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await channel.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await socket.SendAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                socket.Shutdown(SocketShutdown.Send);
            }, cancellationToken);
            var buffer = new byte[64 * 1024];
            int received;
            while ((received = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
            {
                await channel.WriteAsync(buffer.AsMemory(0, received), cancellationToken);
            }
            await channel.SendEofAsync(cancellationToken);
            await toSocket;
            await channel.CloseAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A Unix socket for SSH_AUTH_SOCK; each process that connects gets an auth-agent@openssh.com
    /// channel to the client's agent (OpenSSH PROTOCOL.agent).
    /// </summary>
    private static string ListenForAgentClients(SshServerConnection connection, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"k8shell-agent-{Guid.NewGuid():N}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        _ = Task.Run(async () =>
        {
            using (listener)
            {
                try
                {
                    while (true)
                    {
                        var client = await listener.AcceptAsync(cancellationToken);
                        var agent = await connection.OpenChannelAsync("auth-agent@openssh.com", ReadOnlyMemory<byte>.Empty, cancellationToken);
                        _ = PumpSocketAsync(agent, client, cancellationToken);
                    }
                }
                catch (Exception stopped) when (stopped is OperationCanceledException or IOException or SocketException)
                {
                    // The connection ended.
                }
                finally
                {
                    File.Delete(path);
                }
            }
        }, cancellationToken);
        return path;
    }
}
