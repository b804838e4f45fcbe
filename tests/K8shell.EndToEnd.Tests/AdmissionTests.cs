using System.Net;
using System.Net.Sockets;
using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// What the gateway decides before the handshake, seen from clients on loopback addresses of their own (the
/// listener takes all of 127/8, and ssh binds its source with BindAddress): a ban in <c>ssh-bans</c> closes the
/// connection before a byte is sent, and a client holding its share of pre-auth slots gets no more — while
/// everyone else logs in as usual.
/// </summary>
public sealed class AdmissionTests(StackFixture stack)
{
    /// <summary>The address that takes all its pre-auth slots; whitelisted in Shield (see <see cref="StackFixture"/>).</summary>
    public const string Greedy = "127.0.0.3";

    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_banned_address_is_closed_before_the_handshake_until_the_ban_is_deleted()
    {
        var banned = IPAddress.Parse("127.0.0.2");
        await using var nats = await stack.ConnectNatsAsync();
        var bans = await BanBucket.OpenAsync(nats, Cancellation);

        await BanBucket.BanAsync(bans, banned, "e2e: banned by the test", Cancellation);
        try
        {
            // The proxy learns of the ban through its KV watch: soon, not at once.
            Assert.True(await Eventually.WaitAsync(async () => await RawConnections.ReceivedAsync(banned, stack.SshPort) == 0, TimeSpan.FromSeconds(20), Cancellation),
                "the banned address still gets the gateway's identification");
            var (exitCode, _, errors) = await _gateway.SshAsync("true", null, "-o", $"BindAddress={banned}");
            Assert.Equal(255, exitCode);
            Assert.Contains("kex_exchange_identification", errors); // closed before the identification exchange
            Assert.Equal(0, (await _gateway.SshAsync("true")).ExitCode); // 127.0.0.1 is not banned
        }
        finally
        {
            await BanBucket.LiftAsync(bans, banned);
        }

        Assert.True(await Eventually.WaitAsync(async () => await RawConnections.ReceivedAsync(banned, stack.SshPort) > 0, TimeSpan.FromSeconds(20), Cancellation),
            "the deleted ban still holds");
        var (afterwards, _, afterwardsErrors) = await _gateway.SshAsync("true", null, "-o", $"BindAddress={banned}");
        Assert.True(afterwards == 0, afterwardsErrors);
    }

    [Fact]
    public async Task A_client_holding_its_share_of_pre_auth_slots_gets_no_more_and_others_still_log_in()
    {
        var greedy = IPAddress.Parse(Greedy);
        var silent = new List<Socket>();
        try
        {
            // Ten connections that never finish a handshake: the default per-address limit (MaxStartups-like).
            for (var i = 0; i < 10; i++)
            {
                var socket = await RawConnections.ConnectFromAsync(greedy, stack.SshPort);
                silent.Add(socket);
                Assert.StartsWith("SSH-2.0-K8shell_", await RawConnections.IdentificationAsync(socket)); // each one was admitted
            }

            Assert.Equal(0, await RawConnections.ReceivedAsync(greedy, stack.SshPort)); // the eleventh is closed without a word
            var (exitCode, _, errors) = await _gateway.SshAsync("true", null, "-o", $"BindAddress={greedy}");
            Assert.Equal(255, exitCode);
            Assert.Contains("kex_exchange_identification", errors);
            var (others, _, othersErrors) = await _gateway.SshAsync("true");
            Assert.True(others == 0, othersErrors);
        }
        finally
        {
            silent.ForEach(socket => socket.Dispose());
        }

        // The slots come back when their connections end.
        Assert.True(await Eventually.WaitAsync(async () => (await _gateway.SshAsync("true", null, "-o", $"BindAddress={greedy}")).ExitCode == 0,
            TimeSpan.FromSeconds(20), Cancellation), "the greedy address never got its slots back");
    }
}
