using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace K8shell.ServiceDefaults.Tests;

public sealed class DefaultEndpointsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_and_alive_answer_healthy_over_http()
    {
        await using var service = await TestService.StartAsync();
        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };

        foreach (var path in new[] { "/health", "/alive" })
        {
            var response = await http.GetAsync(path, Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Cancellation));
        }
    }

    [Fact]
    public async Task A_failing_dependency_fails_health_but_not_alive_and_reveals_no_details()
    {
        await using var service = await TestService.StartAsync(builder => builder.Services.AddHealthChecks()
            .AddCheck("database", () => HealthCheckResult.Unhealthy("password=hunter2 rejected")));
        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };

        var health = await http.GetAsync("/health", Cancellation);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync(Cancellation));

        var alive = await http.GetAsync("/alive", Cancellation);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Grpc_health_service_reports_the_same_checks_over_http2()
    {
        var healthy = true;
        await using var service = await TestService.StartAsync(builder => builder.Services.AddHealthChecks()
            .AddCheck("dependency", () => healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy()));
        using var channel = GrpcChannel.ForAddress(service.GrpcEndpoint);
        var client = new Health.HealthClient(channel);

        var serving = await client.CheckAsync(new HealthCheckRequest(), cancellationToken: Cancellation);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);

        healthy = false;
        var notServing = await client.CheckAsync(new HealthCheckRequest(), cancellationToken: Cancellation);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, notServing.Status);
    }
}
