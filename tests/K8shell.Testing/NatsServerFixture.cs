using Xunit;

namespace K8shell.Testing;

/// <summary>One nats-server per test assembly: <c>[assembly: AssemblyFixture(typeof(NatsServerFixture))]</c>.</summary>
public sealed class NatsServerFixture : IAsyncLifetime
{
    private NatsServer? _server;

    public NatsServer Server => _server ?? throw new InvalidOperationException("nats-server has not started.");

    public string Url => Server.Url;

    public async ValueTask InitializeAsync() => _server = await NatsServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
