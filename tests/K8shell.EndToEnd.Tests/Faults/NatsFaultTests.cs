using System.Net;
using System.Text.Json;
using K8shell.Testing;
using K8shell.Testing.AppHost;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// NATS down and back (SPEC.md §3, §9): logins go on, failed-login events wait in the gateway and are published once
/// NATS is back, and a ban written after the restart is enforced again (the gateway's watch of <c>ssh-bans</c> resumed).
/// NATS keeps JetStream on disk across the restart (WithDataVolume: the bucket and the test's stream survive it).
/// </summary>
public sealed partial class FaultStackTests
{
    /// <summary>Keeps every <c>ssh.failures</c> event on the server, so the test reads what was published before it could subscribe.</summary>
    private const string FailureCapture = "E2E_FAILURES";

    [Fact]
    public async Task NATS_down_and_back_failed_logins_are_published_afterwards_and_bans_hold_again()
    {
        var stranger = $"stranger{Guid.NewGuid():N}"[..20];
        await using (var nats = await ConnectNatsAsync())
        {
            await nats.CreateJetStreamContext().CreateOrUpdateStreamAsync(new StreamConfig(FailureCapture, ["ssh.failures"]) { Storage = StreamConfigStorage.File },
                Cancellation);
        }

        await using (var outage = await OutageOfAsync("nats"))
        {
            var (failed, _, failedErrors) = await _gateway.SshAsync("true", stranger);
            Assert.True(failed == 255, $"an unknown user's login exited {failed}: {failedErrors}");
            var (login, _, loginErrors) = await _gateway.SshAsync("true");
            Assert.True(login == 0, $"a login while NATS is down exited {login}: {loginErrors}");
            await outage.EndAsync();
        }

        await using var back = await ConnectNatsAsync();
        var failure = await CapturedFailureAboutAsync(back, stranger);
        Assert.Equal("127.0.0.1", failure.GetProperty("client_ip").GetString());
        Assert.Contains(FailureEvents.Reasons(failure), reason => reason.Contains("not known", StringComparison.Ordinal));

        var banned = IPAddress.Parse("127.0.0.4");
        var bans = await BanBucket.OpenAsync(back, Cancellation);
        await BanBucket.BanAsync(bans, banned, "e2e: banned after NATS came back", Cancellation);
        try
        {
            Assert.True(await Eventually.WaitAsync(async () => await RawConnections.ReceivedAsync(banned, stack.SshPort) == 0, TimeSpan.FromSeconds(20), Cancellation),
                "a ban written after NATS came back is not enforced: the gateway's watch did not resume");
            Assert.True(await RawConnections.ReceivedAsync(IPAddress.Loopback, stack.SshPort) > 0, "the gateway refuses everyone, not just the banned address");
        }
        finally
        {
            await BanBucket.LiftAsync(bans, banned);
        }
        Assert.True(await Eventually.WaitAsync(async () => await RawConnections.ReceivedAsync(banned, stack.SshPort) > 0, TimeSpan.FromSeconds(20), Cancellation),
            "the lifted ban still holds");
    }

    private async Task<NatsConnection> ConnectNatsAsync()
    {
        var nats = new NatsConnection(new NatsOpts { Url = await stack.App.GetConnectionStringAsync("nats") ?? "" });
        await nats.ConnectAsync();
        return nats;
    }

    /// <summary>The captured event about <paramref name="username"/>; 20 s at most, as the gateway retries NATS every half second.</summary>
    private static async Task<JsonElement> CapturedFailureAboutAsync(NatsConnection nats, string username)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        patience.CancelAfter(TimeSpan.FromSeconds(20));
        var consumer = await nats.CreateJetStreamContext().CreateOrderedConsumerAsync(FailureCapture, cancellationToken: patience.Token);
        await foreach (var message in consumer.ConsumeAsync<string>(cancellationToken: patience.Token))
        {
            if (FailureEvents.About(message.Data!, username) is { } failure)
            {
                return failure;
            }
        }
        // ConsumeAsync ends quietly when cancelled.
        Assert.Fail($"no failed-login event about {username} reached NATS within 20 s of its return");
        return default;
    }
}
