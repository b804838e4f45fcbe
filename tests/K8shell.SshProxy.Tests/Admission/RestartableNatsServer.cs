using K8shell.Testing;
using NATS.Client.Core;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>
/// K8shell.Testing's <see cref="NatsServer"/>, stopped and started again by the tests (NATS going away and coming back,
/// as the proxy must survive it), owning the client connections it hands out.
/// </summary>
internal sealed class RestartableNatsServer : IAsyncDisposable
{
    private readonly NatsServer _server;
    private readonly List<NatsConnection> _connections = [];

    private RestartableNatsServer(NatsServer server) => _server = server;

    public int Port => _server.Port;

    public string Url => _server.Url;

    public static async Task<RestartableNatsServer> CreateAsync(CancellationToken cancellationToken) => new(await NatsServer.StartAsync(cancellationToken));

    /// <summary>Starts the stopped server again on its port, with its storage.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _server.StartAgainAsync(cancellationToken);

    /// <summary>A client connection (the proxy's, or Shield's stand-in), closed when the server is disposed.</summary>
    public NatsConnection Connect()
    {
        var connection = new NatsConnection(NatsOpts.Default with { Url = Url });
        _connections.Add(connection);
        return connection;
    }

    public Task StopAsync() => _server.StopAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
        await _server.DisposeAsync();
    }
}
