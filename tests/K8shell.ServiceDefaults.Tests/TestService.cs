using System.Net;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace K8shell.ServiceDefaults.Tests;

/// <summary>
/// A service built the way every K8shell service is (AddServiceDefaults, MapDefaultEndpoints),
/// hosted on real loopback sockets: HTTP/1.1 for probes, HTTP/2 for gRPC.
/// </summary>
internal sealed class TestService : IAsyncDisposable
{
    private TestService(WebApplication app, Uri http, Uri grpc)
    {
        App = app;
        HttpEndpoint = http;
        GrpcEndpoint = grpc;
    }

    public WebApplication App { get; }

    public Uri HttpEndpoint { get; }

    public Uri GrpcEndpoint { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<TestService> StartAsync(
        Action<WebApplicationBuilder>? configure = null,
        IReadOnlyDictionary<string, string?>? configuration = null,
        Action<WebApplication>? map = null)
    {
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.AddServiceDefaults();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGet("/ping", () => "pong");
        map?.Invoke(app);
        app.MapDefaultEndpoints();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A refused start (invalid options) is what some tests expect; nothing of it may outlive them.
            await app.DisposeAsync();
            throw;
        }
        return new TestService(app, new Uri($"http://127.0.0.1:{httpPort}"), new Uri($"http://127.0.0.1:{grpcPort}"));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
