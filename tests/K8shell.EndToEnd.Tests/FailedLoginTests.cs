using K8shell.Testing;

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
        await using var failures = await FailureEvents.SubscribeAsync(stack, cancellation);

        var (exitCode, _, _) = await Programs.RunAsync("ssh", [.. _gateway.Options(keyFile: strangerKey), _gateway.Destination(), "true"], cancellationToken: cancellation);

        Assert.Equal(255, exitCode);
        var failure = await failures.NextAboutAsync(stack.User, cancellation);
        await Task.Delay(500, cancellation); // one event per connection: a second one would come now
        Assert.Empty(failures.ArrivedAbout(stack.User));
        Assert.Equal("127.0.0.1", failure.GetProperty("client_ip").GetString());
        Assert.InRange(failure.GetProperty("client_port").GetInt32(), 1, 65535);
        Assert.True(DateTimeOffset.TryParse(failure.GetProperty("timestamp").GetString(), out var at) && at.Offset == TimeSpan.Zero);
        Assert.Contains(FailureEvents.Reasons(failure), info => info.Contains("publickey", StringComparison.Ordinal));
        Assert.Matches("^([a-z0-9]{5}|local)$", failure.GetProperty("proxy_id").GetString());
    }
}
