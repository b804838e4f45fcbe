using System.Net;
using K8shell.ServiceDefaults.Nats;
using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// The loop SPEC.md §3 and §10 describe, with nothing stubbed: real ssh fails to log in, the proxy publishes each
/// failure to NATS, Shield counts them and writes a ban to <c>ssh-bans</c>, and the proxy closes the address's next
/// connection before a byte. The attacker has a loopback address of its own; 127.0.0.1 is whitelisted in the local
/// stack (the developer's own mistakes never lock them out), and the test shows both.
/// </summary>
public sealed class ShieldTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Four_failed_logins_from_an_address_get_it_banned_by_Shield_and_refused_by_the_proxy()
    {
        var attacker = IPAddress.Parse("127.0.0.4");
        var strangerKey = Path.Combine(stack.Home, $"stranger-{Guid.NewGuid():N}");
        await SshKeys.GenerateAsync(strangerKey, cancellationToken: Cancellation);
        await using var nats = await stack.ConnectNatsAsync();
        var bans = await BanBucket.OpenAsync(nats, Cancellation);
        try
        {
            for (var attempt = 1; attempt <= 4; attempt++)
            {
                var (exitCode, _, errors) = await Programs.RunAsync("ssh",
                    [.. _gateway.Options(keyFile: strangerKey), "-o", $"BindAddress={attacker}", _gateway.Destination(), "true"], cancellationToken: Cancellation);
                Assert.True(exitCode == 255 && errors.Contains("Permission denied"), $"attempt {attempt}: exit {exitCode}, {errors}");
                // The developer's own failures count for nothing: 127.0.0.1 is whitelisted.
                Assert.Equal(255, (await Programs.RunAsync("ssh", [.. _gateway.Options(keyFile: strangerKey), _gateway.Destination(), "true"],
                    cancellationToken: Cancellation)).ExitCode);
            }

            BanEntry? ban = null;
            Assert.True(await Eventually.WaitAsync(async () => (ban = await BanBucket.FindAsync(bans, attacker, Cancellation)) is not null, TimeSpan.FromSeconds(20), Cancellation),
                "Shield wrote no ban for the address that failed four times");
            Assert.Equal("4 failed logins in 00:05:00, strike 1", ban!.Reason);
            Assert.Equal(TimeSpan.FromMinutes(1), ban.ExpiresAt - ban.BannedAt);

            Assert.True(await Eventually.WaitAsync(async () => await RawConnections.ReceivedAsync(attacker, stack.SshPort) == 0, TimeSpan.FromSeconds(20), Cancellation),
                "the proxy still greets the banned address");
            var (refused, _, refusedErrors) = await _gateway.SshAsync("true", null, "-o", $"BindAddress={attacker}");
            Assert.True(refused == 255 && refusedErrors.Contains("kex_exchange_identification"), $"exit {refused}: {refusedErrors}");
            var (others, _, othersErrors) = await _gateway.SshAsync("true");
            Assert.True(others == 0, othersErrors);
            Assert.Null(await BanBucket.FindAsync(bans, IPAddress.Loopback, Cancellation));
        }
        finally
        {
            await BanBucket.LiftAsync(bans, attacker);
        }
    }
}
