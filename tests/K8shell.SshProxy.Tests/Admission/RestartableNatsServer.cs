using K8shell.Testing;
using NATS.Client.Core;

namespace K8shell.SshProxy.Tests.Admission;

/// <summary>
/// A real nats-server (JetStream, file storage) that a test can stop and start again on the same port with the
/// same storage: NATS going away and coming back, as the proxy must survive it. (K8shell.Testing's NatsServer
/// picks a new port each start.)
/// </summary>
internal sealed class RestartableNatsServer : IAsyncDisposable
{
    private readonly string _storage = Directory.CreateTempSubdirectory("k8shell-nats-admission-").FullName;
    private readonly List<NatsConnection> _connections = [];
    private ChildProcess? _process;

    private RestartableNatsServer(int port) => Port = port;

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>A server on a port nobody listens on yet; <paramref name="start"/> false leaves it down (NATS unreachable).</summary>
    public static async Task<RestartableNatsServer> CreateAsync(bool start, CancellationToken cancellationToken)
    {
        var server = new RestartableNatsServer(FreePort.Next());
        if (start)
        {
            await server.StartAsync(cancellationToken);
        }
        return server;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _process = ChildProcess.Start("nats-server", Binary(), ["-a", "127.0.0.1", "-p", Port.ToString(), "-js", "-sd", _storage]);
        await _process.WaitForLineAsync(line => line.Contains("Server is ready"), TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>A client connection (the proxy's, or Shield's stand-in), closed when the server is disposed.</summary>
    public NatsConnection Connect()
    {
        var connection = new NatsConnection(NatsOpts.Default with { Url = Url });
        _connections.Add(connection);
        return connection;
    }

    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.StopAsync(TimeSpan.FromSeconds(10));
            await process.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
        await StopAsync();
        Directory.Delete(_storage, recursive: true);
    }

    private static string Binary() =>
        Environment.GetEnvironmentVariable("K8SHELL_NATS_SERVER") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryPaths.Tools, "bin", "nats-server");
}
