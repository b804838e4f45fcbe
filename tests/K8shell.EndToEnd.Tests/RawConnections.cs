using System.Net;
using System.Net.Sockets;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// TCP connections to the gateway without an SSH client, from a loopback address of the test's choosing (the listener
/// takes all of 127/8): what the gateway sends before any SSH, or that it closes at once.
/// </summary>
public static class RawConnections
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static async Task<Socket> ConnectFromAsync(IPAddress source, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Cancellation);
        return socket;
    }

    /// <summary>What the gateway first sends on <paramref name="socket"/>: its identification, or nothing when it closes the connection.</summary>
    public static async Task<string> IdentificationAsync(Socket socket)
    {
        var buffer = new byte[256];
        var read = await socket.ReceiveAsync(buffer, Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Cancellation);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>How many bytes a new connection from <paramref name="source"/> receives before the gateway closes it or sends its identification.</summary>
    public static async Task<int> ReceivedAsync(IPAddress source, int port)
    {
        using var socket = await ConnectFromAsync(source, port);
        return (await IdentificationAsync(socket)).Length;
    }
}
