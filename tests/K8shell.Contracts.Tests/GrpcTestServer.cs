using Grpc.Net.Client;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace K8shell.Contracts.Tests;

/// <summary>A Kestrel HTTP/2 server on loopback hosting generated service bases, and a channel to it.</summary>
internal sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, GrpcChannel channel)
    {
        _app = app;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<GrpcTestServer> StartAsync(Action<IEndpointRouteBuilder> mapServices)
    {
        var builder = LoopbackWebApplication.CreateHttp2Builder();
        builder.Services.AddGrpc();
        var app = builder.Build();
        mapServices(app);
        await app.StartAsync();
        return new GrpcTestServer(app, GrpcChannel.ForAddress(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
