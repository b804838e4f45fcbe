using Grpc.Net.Client;
using K8shell.Contracts.Identity.V1;
using K8shell.Testing;

namespace K8shell.Identity.Tests;

/// <summary>An Identity service of one test's own (its users, its store, its settings), with a client.</summary>
public sealed class TestIdentity : IAsyncDisposable
{
    private readonly GrpcChannel _channel;

    private TestIdentity(ServiceProcess process, GrpcChannel channel)
    {
        Process = process;
        _channel = channel;
        Client = new IdentityService.IdentityServiceClient(channel);
    }

    public ServiceProcess Process { get; }

    internal IdentityService.IdentityServiceClient Client { get; }

    public static async Task<TestIdentity> StartAsync(IdentityFixture fixture, string usersFile, string dataDirectory, params Dictionary<string, string?>[] settings)
    {
        var process = await fixture.StartIdentityAsync(usersFile, dataDirectory, settings.SelectMany(part => part).ToDictionary());
        return new TestIdentity(process, fixture.ChannelTo(process));
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Process.DisposeAsync();
    }
}
