using System.Net;
using System.Net.Sockets;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>A real TCP connection on loopback: the client end a test writes to, the accepted end the proxy reads, and the peer the proxy sees.</summary>
internal sealed class LoopbackConnection : IAsyncDisposable
{
    private LoopbackConnection(TcpClient client, Socket accepted)
    {
        Client = client.GetStream();
        ClientSocket = client;
        Accepted = new NetworkStream(accepted, ownsSocket: true);
        Peer = (IPEndPoint)accepted.RemoteEndPoint!;
    }

    public NetworkStream Client { get; }

    public TcpClient ClientSocket { get; }

    public NetworkStream Accepted { get; }

    public IPEndPoint Peer { get; }

    /// <summary>Connected over IPv4, or with <paramref name="dualStack"/> through an IPv6 listener (the peer is then IPv4-mapped).</summary>
    public static async Task<LoopbackConnection> OpenAsync(CancellationToken cancellationToken, bool dualStack = false)
    {
        var listener = dualStack ? new TcpListener(IPAddress.IPv6Any, 0) : new TcpListener(IPAddress.Loopback, 0);
        if (dualStack)
        {
            listener.Server.DualMode = true;
        }
        listener.Start();
        try
        {
            var client = new TcpClient(AddressFamily.InterNetwork);
            var accepting = listener.AcceptSocketAsync(cancellationToken);
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancellationToken);
            return new LoopbackConnection(client, await accepting);
        }
        finally
        {
            listener.Stop();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Accepted.DisposeAsync();
        ClientSocket.Dispose();
    }
}
