using System.Text.Json;
using K8shell.Testing;
using K8shell.Testing.AppHost;
using NATS.Client.Core;

namespace K8shell.EndToEnd.Tests;

/// <summary>A failed login reaches NATS as one event with every field (SPEC.md §3), for Shield to act on.</summary>
public sealed class FailedLoginTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    [Fact]
    public async Task A_wrong_key_fails_and_publishes_one_event_with_every_field()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var strangerKey = Path.Combine(stack.Home, $"stranger-{Guid.NewGuid():N}");
        await SshKeys.GenerateAsync(strangerKey, cancellationToken: cancellation);
        await using var nats = new NatsConnection(new NatsOpts { Url = await stack.App.GetConnectionStringAsync("nats") ?? "" });
        await using var subscription = await nats.SubscribeCoreAsync<string>("ssh.failures", cancellationToken: cancellation);
        await nats.PingAsync(cancellation); // the server has the subscription before ssh fails

        var (exitCode, _, _) = await Programs.RunAsync("ssh", [.. _gateway.Options(keyFile: strangerKey), _gateway.Destination(), "true"], cancellationToken: cancellation);

        Assert.Equal(255, exitCode);
        var events = new List<JsonElement>();
        using (var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
        {
            patience.CancelAfter(TimeSpan.FromSeconds(20));
            events.Add(await NextOfAsync(subscription, stack.User, patience.Token));
        }
        await Task.Delay(500, cancellation); // one event per connection: a second one would come now
        while (subscription.Msgs.TryRead(out var more))
        {
            if (About(more, stack.User) is { } another)
            {
                events.Add(another);
            }
        }
        var failure = Assert.Single(events);
        Assert.Equal("127.0.0.1", failure.GetProperty("client_ip").GetString());
        Assert.InRange(failure.GetProperty("client_port").GetInt32(), 1, 65535);
        Assert.True(DateTimeOffset.TryParse(failure.GetProperty("timestamp").GetString(), out var at) && at.Offset == TimeSpan.Zero);
        Assert.Contains(failure.GetProperty("failure_info").EnumerateArray(), info => info.GetString()!.Contains("publickey", StringComparison.Ordinal));
        Assert.Matches("^([a-z0-9]{5}|local)$", failure.GetProperty("proxy_id").GetString());
    }

    /// <summary>The next event about <paramref name="username"/> (other tests' failures may come between).</summary>
    private static async Task<JsonElement> NextOfAsync(INatsSub<string> subscription, string username, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (About(await subscription.Msgs.ReadAsync(cancellationToken), username) is { } failure)
            {
                return failure;
            }
        }
    }

    private static JsonElement? About(NatsMsg<string> message, string username) =>
        JsonDocument.Parse(message.Data!).RootElement is var parsed && parsed.GetProperty("username").GetString() == username ? parsed : null;
}
