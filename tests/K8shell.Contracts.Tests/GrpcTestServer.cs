using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
        // Port 0, read back once bound: a port picked beforehand can be taken by a parallel test in between.
        ListenOptions? endpoint = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => (endpoint = listen).Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        mapServices(app);
        await app.StartAsync();
        return new GrpcTestServer(app, GrpcChannel.ForAddress($"http://127.0.0.1:{endpoint!.IPEndPoint!.Port}"));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
