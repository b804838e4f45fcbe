using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Connections;

/// <summary>
/// Accepts SSH connections and serves each in this process (no fork per connection). A failure in one
/// connection's code is logged and ends that connection only. On shutdown it stops accepting at once, lets open
/// sessions go on for <see cref="SshProxyOptions.ShutdownGrace"/>, then closes them with a disconnect message.
/// </summary>
internal sealed partial class SshListener(ConnectionHandler handler, IOptions<SshProxyOptions> options, ILogger<SshListener> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly CancellationTokenSource _closeAll = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var address = IPAddress.Parse(options.Value.ListenAddress);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            listener.DualMode = true;
        }
        listener.Bind(new IPEndPoint(address, options.Value.Port));
        listener.Listen(512);
        LogListening(logger, (IPEndPoint)listener.LocalEndPoint!);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var socket = await listener.AcceptAsync(stoppingToken);
                socket.NoDelay = true;
                var serving = ServeAsync(socket);
                _connections.TryAdd(serving, 0);
                _ = serving.ContinueWith(done => _connections.TryRemove(done, out _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield(); // off the accept loop at once
        try
        {
            await handler.HandleAsync(socket, _closeAll.Token);
        }
        catch (Exception failure)
        {
            LogConnectionCrashed(logger, failure, socket.RemoteEndPoint?.ToString() ?? "?");
        }
        finally
        {
            socket.Dispose();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken); // no new connections from here on
        var open = _connections.Keys.ToArray();
        if (open.Length > 0)
        {
            LogDraining(logger, open.Length, options.Value.ShutdownGrace);
            await Task.WhenAny(Task.WhenAll(open), Task.Delay(options.Value.ShutdownGrace, cancellationToken));
            if (open.Count(connection => !connection.IsCompleted) is var left and > 0)
            {
                LogClosingAfterGrace(logger, left);
            }
            await _closeAll.CancelAsync(); // the handlers close what is left with a disconnect message
            await Task.WhenAny(Task.WhenAll(open), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
    }

    public override void Dispose()
    {
        _closeAll.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SSH listening on {EndPoint}")]
    private static partial void LogListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection from {Peer} failed in the proxy's own code; other connections go on")]
    private static partial void LogConnectionCrashed(ILogger logger, Exception failure, string peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown grace over: closing {Count} connection(s) still open, each with a disconnect message")]
    private static partial void LogClosingAfterGrace(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: {Count} connection(s) may go on for up to {Grace}")]
    private static partial void LogDraining(ILogger logger, int count, TimeSpan grace);
}
