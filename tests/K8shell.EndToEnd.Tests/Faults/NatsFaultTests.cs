using System.Net;
using System.Text.Json;
using K8shell.ServiceDefaults.Nats;
using K8shell.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// NATS down and back (SPEC.md §3, §9): logins go on, failed-login events wait in the gateway and are published once
/// NATS is back — Shield counts them (its record of the address in <c>ssh-shield-state</c>) — and a ban written after the
/// restart is enforced again (the gateway's watch of <c>ssh-bans</c> resumed). NATS keeps JetStream on disk across the
/// restart (WithDataVolume: the buckets and Shield's stream survive it).
/// </summary>
public sealed partial class FaultStackTests
{
    [Fact]
    public async Task NATS_down_and_back_failed_logins_are_published_afterwards_and_bans_hold_again()
    {
        var stranger = $"stranger{Guid.NewGuid():N}"[..20];
        var failing = IPAddress.Parse("127.0.0.5"); // not whitelisted in Shield, unlike 127.0.0.1

        await using (var outage = await OutageOfAsync("nats"))
        {
            var (failed, _, failedErrors) = await _gateway.SshAsync("true", stranger, "-o", $"BindAddress={failing}");
            Assert.True(failed == 255, $"an unknown user's login exited {failed}: {failedErrors}");
            var (login, _, loginErrors) = await _gateway.SshAsync("true");
            Assert.True(login == 0, $"a login while NATS is down exited {login}: {loginErrors}");
            await outage.EndAsync();
        }

        await using var back = await stack.ConnectNatsAsync();
        Assert.True(await Eventually.WaitAsync(async () => await FailuresCountedAsync(back, failing) == 1, TimeSpan.FromSeconds(30), Cancellation),
            "the failed login made while NATS was down never reached Shield after NATS came back");

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

    /// <summary>How many failures of <paramref name="address"/> Shield holds in its state bucket (0 before its first).</summary>
    private static async Task<int> FailuresCountedAsync(NatsConnection nats, IPAddress address)
    {
        try
        {
            var state = await nats.CreateKeyValueStoreContext().GetStoreAsync("ssh-shield-state", Cancellation);
            var entry = await state.TryGetEntryAsync<byte[]>(BanEntry.KeyFor(address), cancellationToken: Cancellation);
            return entry.Success && entry.Value.Value is { } bytes ? JsonDocument.Parse(bytes).RootElement.GetProperty("failures").GetArrayLength() : 0;
        }
        catch (NatsJSApiException)
        {
            return 0; // no bucket yet: Shield has counted nothing
        }
    }
}
