using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.Connection;
using K8shell.Ssh.Wire;

namespace K8shell.Ssh.Tests;

/// <summary>
/// The smallest useful host on the library: exec requests run as local processes through /bin/sh,
/// direct-tcpip dials out (-L, -W), tcpip-forward listens on loopback (-R). Everything else is refused.
/// </summary>
internal static class TestHost
{
    /// <summary>Ports bound for remote forwards, so a test can connect to them.</summary>
    public static ConcurrentQueue<int> ForwardedPorts { get; } = new();

    public static async Task ServeAsync(SshServerConnection connection, CancellationToken cancellationToken)
    {
        var serving = connection.RunAsync(cancellationToken);
        var listeners = new List<TcpListener>();
        var globals = ServeGlobalRequestsAsync(connection, listeners, cancellationToken);
        var channels = new List<Task>();
        await foreach (var channel in connection.IncomingChannels.ReadAllAsync(cancellationToken))
        {
            switch (channel.Type)
            {
                case "session":
                    channels.Add(ServeSessionAsync(connection, await channel.AcceptAsync(cancellationToken), cancellationToken));
                    break;
                case "direct-tcpip":
                    channels.Add(DialAsync(channel, cancellationToken));
                    break;
                default:
                    await channel.RejectAsync(ChannelOpenFailureReason.UnknownChannelType, $"{channel.Type} is not served here", cancellationToken);
                    break;
            }
        }
        await serving;
        listeners.ForEach(listener => listener.Stop());
        await Task.WhenAll(channels);
        await globals;
    }

    private static async Task ServeGlobalRequestsAsync(SshServerConnection connection, List<TcpListener> listeners, CancellationToken cancellationToken)
    {
        await foreach (var request in connection.GlobalRequests.ReadAllAsync(cancellationToken))
        {
            if (request.Type != "tcpip-forward")
            {
                await request.ReplyAsync(false, cancellationToken);
                continue;
            }
            var (address, port) = ReadForward(request.Payload);
            var listener = new TcpListener(IPAddress.Loopback, (int)port);
            listener.Start();
            listeners.Add(listener);
            var bound = ((IPEndPoint)listener.LocalEndpoint).Port;
            ForwardedPorts.Enqueue(bound);
            // RFC 4254 §7.1: when the client asked for port 0, the reply says which port we bound.
            var response = new ArrayBufferWriter<byte>();
            if (port == 0)
            {
                new SshWriter(response).WriteUInt32((uint)bound);
            }
            await request.ReplyAsync(true, response.WrittenMemory, cancellationToken);
            _ = ForwardAcceptedAsync(connection, listener, address, (uint)bound, cancellationToken);
        }
    }

    private static (string Address, uint Port) ReadForward(byte[] payload)
    {
        var reader = new SshReader(payload);
        return (reader.ReadUtf8(), reader.ReadUInt32());
    }

    private static async Task ForwardAcceptedAsync(SshServerConnection connection, TcpListener listener, string address, uint port, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(cancellationToken);
                var origin = (IPEndPoint)socket.RemoteEndPoint!;
                var extra = new ArrayBufferWriter<byte>();
                var writer = new SshWriter(extra);
                writer.WriteUtf8(address);
                writer.WriteUInt32(port);
                writer.WriteUtf8(origin.Address.ToString());
                writer.WriteUInt32((uint)origin.Port);
                var channel = await connection.OpenChannelAsync("forwarded-tcpip", extra.WrittenMemory, cancellationToken);
                _ = PumpSocketAsync(channel, socket, cancellationToken);
            }
        }
        catch (Exception stopped) when (stopped is ObjectDisposedException or SocketException or OperationCanceledException or IOException)
        {
            // The listener stopped with the connection.
        }
    }

    private static async Task DialAsync(NewChannel channel, CancellationToken cancellationToken)
    {
        var target = DirectTcpipRequest.Parse(channel.ExtraData);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target.Host, (int)target.Port, cancellationToken);
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

    private static async Task ServeSessionAsync(SshServerConnection connection, SshChannel channel, CancellationToken cancellationToken)
    {
        string? agentSocket = null;
        await foreach (var request in channel.Requests.ReadAllAsync(cancellationToken))
        {
            switch (request.Type)
            {
                case "auth-agent-req@openssh.com":
                    agentSocket = ListenForAgentClients(connection, cancellationToken);
                    await request.ReplyAsync(true, cancellationToken);
                    break;
                case "exec":
                    var command = ReadCommand(request.Payload);
                    await request.ReplyAsync(true, cancellationToken);
                    await ExecAsync(channel, command, agentSocket, cancellationToken);
                    return;
                default:
                    await request.ReplyAsync(false, cancellationToken);
                    break;
            }
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

    private static string ReadCommand(byte[] payload) => StringRequest.Parse(payload, "exec");

    private static async Task ExecAsync(SshChannel channel, string command, string? agentSocket, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment["SSH_AUTH_SOCK"] = agentSocket;
        using var process = Process.Start(startInfo)!;
        var stdin = PumpInputAsync(channel, process.StandardInput.BaseStream, cancellationToken);
        var stdout = PumpOutputAsync(process.StandardOutput.BaseStream, channel.WriteAsync, cancellationToken);
        var stderr = PumpOutputAsync(process.StandardError.BaseStream, channel.WriteStderrAsync, cancellationToken);
        await Task.WhenAll(stdout, stderr);
        await process.WaitForExitAsync(cancellationToken);

        // RFC 4254 §6.10 and SPEC.md §2: exit-status, then EOF, then CLOSE.
        await channel.SendExitStatusAsync((uint)process.ExitCode, cancellationToken);
        await channel.SendEofAsync(cancellationToken);
        await channel.CloseAsync(cancellationToken);
        await channel.Closed.WaitAsync(cancellationToken);
        try
        {
            await stdin;
        }
        catch (IOException)
        {
            // The command exited before reading all its input.
        }
    }

    private static async Task PumpInputAsync(SshChannel channel, Stream stdin, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        await using (stdin)
        {
            int read;
            while ((read = await channel.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stdin.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
    }

    private static async Task PumpOutputAsync(Stream source, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await write(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
