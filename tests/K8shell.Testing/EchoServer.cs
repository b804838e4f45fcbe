using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8shell.Testing;

/// <summary>
/// The far end of a forward: a loopback TCP or Unix socket service that optionally speaks first
/// (as SMTP or a database greeting does), then sends back what it receives and half-closes.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly byte[] _greeting;
    private readonly Task _serving;

    private EchoServer(EndPoint endPoint, string greeting)
    {
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
        _listener.Bind(endPoint);
        _listener.Listen();
        _greeting = Encoding.UTF8.GetBytes(greeting);
        _serving = ServeAsync();
    }

    public EndPoint EndPoint => _listener.LocalEndPoint!;

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public static EchoServer Tcp(string greeting = "") => new(new IPEndPoint(IPAddress.Loopback, 0), greeting);

    public static EchoServer Unix(string path) => new(new UnixDomainSocketEndPoint(path), "");

    /// <summary>Connects (retrying while ssh sets up the forward), sends <paramref name="text"/>, half-closes, returns all it got back.</summary>
    public static async Task<string> EchoThroughAsync(EndPoint target, string text, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new Socket(target.AddressFamily, SocketType.Stream, target is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
                await client.ConnectAsync(target, cancellationToken);
                // Made while connected: a stream cannot be made on a socket that has half-closed.
                using var reader = new StreamReader(new NetworkStream(client));
                await client.SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
                client.Shutdown(SocketShutdown.Send);
                return await reader.ReadToEndAsync(cancellationToken);
            }
            catch (SocketException) when (attempt < 100)
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
                        await socket.SendAsync(_greeting);
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
