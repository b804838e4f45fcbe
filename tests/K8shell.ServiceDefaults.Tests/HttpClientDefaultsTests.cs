using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace K8shell.ServiceDefaults.Tests;

/// <summary>HttpClients of a service find their peers through the AppHost's wiring and survive transient failures.</summary>
public sealed class HttpClientDefaultsTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_named_endpoint_resolves_through_the_services_variables_the_apphost_sets()
    {
        await using var identity = await TestService.StartAsync();
        await using var caller = await TestService.StartAsync(
            builder => builder.Services.AddHttpClient("identity", client => client.BaseAddress = new Uri("http://_http.identity")),
            // What services__identity__http__0 becomes in configuration.
            new Dictionary<string, string?> { ["services:identity:http:0"] = identity.HttpEndpoint.ToString() });

        var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient("identity");
        Assert.Equal("pong", await client.GetStringAsync("/ping", Cancellation));
    }

    [Fact]
    public async Task A_transient_server_error_is_retried_by_the_standard_resilience_handler()
    {
        var calls = 0;
        await using var flaky = await TestService.StartAsync(map: app => app.MapGet("/flaky", () =>
            Interlocked.Increment(ref calls) == 1 ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable) : Results.Text("recovered")));
        await using var caller = await TestService.StartAsync(builder => builder.Services.AddHttpClient("flaky"));

        var client = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient("flaky");
        Assert.Equal("recovered", await client.GetStringAsync(new Uri(flaky.HttpEndpoint, "/flaky"), Cancellation));
        Assert.Equal(2, calls);
    }
}
