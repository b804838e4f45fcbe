using System.Collections.Concurrent;
using System.Text;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace K8shell.ServiceDefaults.Tests;

/// <summary>Telemetry leaves the service over OTLP when, and only because, an endpoint is configured.</summary>
public sealed class OtlpExportTests(NatsServerFixture nats)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Traces_metrics_and_logs_reach_the_configured_otlp_endpoint()
    {
        await using var collector = await OtlpCollector.StartAsync();
        await using var service = await TestService.StartAsync(
            builder => builder.AddNatsClient("nats"),
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:nats"] = nats.Url,
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            });

        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };
        Assert.Equal("pong", await http.GetStringAsync("/ping", Cancellation));
        service.Services.GetRequiredService<ILoggerFactory>().CreateLogger("K8shell.Test").LogInformation("marker-{Value}", 42);
        await service.Services.GetRequiredService<INatsConnection>().PublishAsync("k8shell.test.otlp", "x", cancellationToken: Cancellation);

        // Protobuf keeps strings as UTF-8 bytes, so names are visible in the raw export bodies.
        await collector.WaitForAsync("/v1/traces", "/ping");
        await collector.WaitForAsync("/v1/traces", "NATS.Net");
        await collector.WaitForAsync("/v1/logs", "marker-42");
        await collector.WaitForAsync("/v1/metrics", "http.server.request.duration");
    }

    /// <summary>Records what OTLP/HTTP exporters POST to it.</summary>
    private sealed class OtlpCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, string Body)> _exports = new();

        private OtlpCollector(WebApplication app, Uri endpoint, ConcurrentQueue<(string, string)> exports)
        {
            _app = app;
            Endpoint = endpoint;
            _exports = exports;
        }

        public Uri Endpoint { get; }

        public static async Task<OtlpCollector> StartAsync()
        {
            var exports = new ConcurrentQueue<(string, string)>();
            var app = LoopbackWebApplication.CreateBuilder().Build();
            app.MapPost("/v1/{signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                exports.Enqueue((context.Request.Path.Value!, Encoding.UTF8.GetString(body.ToArray())));
                return Results.Ok();
            });
            await app.StartAsync();
            return new OtlpCollector(app, new Uri(app.Urls.Single()), exports);
        }

        public async Task WaitForAsync(string path, string marker)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!_exports.Any(export => export.Path == path && export.Body.Contains(marker, StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline,
                    $"no {path} export containing '{marker}'; received: {string.Join(", ", _exports.Select(e => e.Path))}");
                await Task.Delay(100, Cancellation);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
