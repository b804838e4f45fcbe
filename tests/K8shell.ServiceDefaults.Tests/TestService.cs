using System.Net;
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
        // Port 0, read back once bound: a port picked beforehand can be taken by a parallel test in between.
        ListenOptions? http = null;
        ListenOptions? grpc = null;
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => (http = listen).Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
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
        return new TestService(app, new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}"), new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
