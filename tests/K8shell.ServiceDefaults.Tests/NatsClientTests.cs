using System.Net;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;

namespace K8shell.ServiceDefaults.Tests;

public sealed class NatsClientTests(NatsServerFixture nats)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<TestService> StartWithNatsAsync(string url, Action<WebApplicationBuilder>? more = null) =>
        TestService.StartAsync(
            builder =>
            {
                builder.AddNatsClient("nats");
                more?.Invoke(builder);
            },
            new Dictionary<string, string?> { ["ConnectionStrings:nats"] = url });

    [Fact]
    public async Task The_registered_connection_round_trips_a_message_through_the_real_server()
    {
        await using var service = await StartWithNatsAsync(nats.Url);
        var connection = service.Services.GetRequiredService<INatsConnection>();
        Assert.Same(connection, service.Services.GetRequiredService<INatsConnection>());

        await using var subscription = await connection.SubscribeCoreAsync<string>("k8shell.test.echo", cancellationToken: Cancellation);
        await connection.PublishAsync("k8shell.test.echo", "hello", cancellationToken: Cancellation);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var message = await subscription.Msgs.ReadAsync(timeout.Token);
        Assert.Equal("hello", message.Data);
        // The connection is named after the service, so the NATS server monitor shows who is connected.
        Assert.Equal(typeof(NatsClientTests).Assembly.GetName().Name, connection.Opts.Name);
    }

    [Fact]
    public async Task Health_is_healthy_when_nats_answers()
    {
        await using var service = await StartWithNatsAsync(nats.Url);
        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };

        var response = await http.GetAsync("/health", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_fails_but_alive_holds_when_nats_is_unreachable()
    {
        // A port nobody listens on: the server is "down".
        await using var service = await StartWithNatsAsync($"nats://127.0.0.1:{FreePort.Next()}");
        using var http = new HttpClient { BaseAddress = service.HttpEndpoint };

        var health = await http.GetAsync("/health", Cancellation);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var alive = await http.GetAsync("/alive", Cancellation);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task A_missing_connection_string_names_the_setting_to_fix()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestService.StartAsync(builder => builder.AddNatsClient("nats")));
        Assert.Contains("ConnectionStrings:nats", error.Message);
        Assert.Contains("ConnectionStrings__nats", error.Message);
    }

    [Fact]
    public async Task JetStream_context_stores_and_reads_a_key_value_entry()
    {
        await using var service = await StartWithNatsAsync(nats.Url, builder => builder.AddNatsJetStream());
        var jetStream = service.Services.GetRequiredService<INatsJSContext>();
        var keyValue = jetStream.CreateKeyValueStoreContext();

        var bucket = await keyValue.CreateStoreAsync("k8shell-test-bucket", Cancellation);
        await bucket.PutAsync("203.0.113.9", "banned", cancellationToken: Cancellation);
        var entry = await bucket.GetEntryAsync<string>("203.0.113.9", cancellationToken: Cancellation);
        Assert.Equal("banned", entry.Value);
    }
}
