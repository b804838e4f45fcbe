using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// Raw connections to the gateway from a loopback address of a test's own (the listener takes all of 127/8), so what
/// the gateway decides about that address (a ban, a per-address limit) touches no other test.
/// </summary>
public static class Loopback
{
    public static async Task<Socket> ConnectFromAsync(StackFixture stack, IPAddress source, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, stack.SshPort), cancellationToken);
        return socket;
    }

    /// <summary>What the gateway first sends on <paramref name="socket"/>: its identification, or nothing when it closes the connection.</summary>
    public static async Task<string> IdentificationAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        var read = await socket.ReceiveAsync(buffer, cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>How many bytes a new connection from <paramref name="source"/> receives before the gateway closes it or sends its identification.</summary>
    public static async Task<int> ReceivedAsync(StackFixture stack, IPAddress source, CancellationToken cancellationToken)
    {
        using var socket = await ConnectFromAsync(stack, source, cancellationToken);
        return (await IdentificationAsync(socket, cancellationToken)).Length;
    }
}
