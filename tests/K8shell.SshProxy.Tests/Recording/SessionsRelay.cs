using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace K8shell.SshProxy.Tests.Recording;

/// <summary>
/// A fixed loopback address for the proxy's Sessions client, relaying TCP to whichever Sessions the test points it
/// at, or to none (connections are closed at once, as a service that is down). It lets a test kill Sessions and
/// start another on a new port while the proxy keeps one address, as a Kubernetes Service does.
/// </summary>
internal sealed class SessionsRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly Task _accepting;
    private volatile Uri? _target;

    public SessionsRelay(Uri? target)
    {
        _target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>New connections go to <paramref name="target"/> (none: they are closed).</summary>
    public void PointAt(Uri? target) => _target = target;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _open.TryAdd(client, true);
        try
        {
            if (_target is not { } target)
            {
                return;
            }
            await server.ConnectAsync(target.Host, target.Port, _stop.Token);
            _open.TryAdd(server, true);
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var serverStream = new NetworkStream(server, ownsSocket: false);
            // Either side ending ends both, as a dead peer resets the connection.
            await Task.WhenAny(clientStream.CopyToAsync(serverStream, _stop.Token), serverStream.CopyToAsync(clientStream, _stop.Token));
        }
        catch (Exception failure) when (failure is IOException or SocketException or OperationCanceledException)
        {
            // The connection ends; the client sees it reset.
        }
        finally
        {
            _open.TryRemove(server, out _);
            _open.TryRemove(client, out _);
            client.Close(0);
            server.Close(0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _open.Keys)
        {
            socket.Close(0);
        }
        await _accepting;
        _stop.Dispose();
    }
}
