using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8shell.Ssh.Tests;

/// <summary>A loopback TCP or Unix-socket service that sends back what it receives, then half-closes: the far end of forwarding tests.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Task _serving;

    private EchoServer(Socket listener)
    {
        _listener = listener;
        _serving = ServeAsync();
    }

    public EndPoint EndPoint => _listener.LocalEndPoint!;

    public int Port => ((IPEndPoint)EndPoint).Port;

    public static EchoServer Tcp() => Start(new IPEndPoint(IPAddress.Loopback, 0));

    public static EchoServer Unix(string path) => Start(new UnixDomainSocketEndPoint(path));

    private static EchoServer Start(EndPoint endPoint)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        listener.Bind(endPoint);
        listener.Listen();
        return new EchoServer(listener);
    }

    /// <summary>Sends <paramref name="text"/> to <paramref name="target"/>, half-closes, and returns the reply; retries while ssh sets up the forward.</summary>
    public static async Task<string> EchoThroughAsync(EndPoint target, string text, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new Socket(target.AddressFamily, SocketType.Stream, target is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
                await client.ConnectAsync(target, cancellationToken);
                using var reader = new StreamReader(new NetworkStream(client));
                await client.SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
                client.Shutdown(SocketShutdown.Send);
                return await reader.ReadToEndAsync(cancellationToken);
            }
            catch (SocketException) when (attempt < 50)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync();
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[4096];
                        int read;
                        while ((read = await socket.ReceiveAsync(buffer)) > 0)
                        {
                            await socket.SendAsync(buffer.AsMemory(0, read));
                        }
                        socket.Shutdown(SocketShutdown.Send);
                    }
                });
            }
        }
        catch (Exception stopped) when (stopped is SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _serving;
    }
}
