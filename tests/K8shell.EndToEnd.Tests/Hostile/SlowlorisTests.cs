using System.Diagnostics;
using System.Net;

namespace K8shell.EndToEnd.Tests.Hostile;

/// <summary>
/// Slowloris: one address opens more connections than its share of pre-auth slots and keeps them unfinished, some
/// trickling an identification a byte at a time, some silent. The share is held at most until the login grace.
/// </summary>
public sealed class SlowlorisTests(StackFixture stack)
{
    private const string Attacker = "127.0.0.20";
    private const int PerAddressSlots = 10; // SshProxy:Limits:MaxStartupsPerIp's default
    private const int Beyond = 5;
    private static readonly TimeSpan LoginGrace = TimeSpan.FromSeconds(30); // SshProxy:LoginGraceTime's default

    [Fact]
    public async Task Unfinished_connections_hold_only_their_address_share_and_only_until_the_login_grace()
    {
        var held = new List<HostileConnection>();
        using var stopTrickling = new CancellationTokenSource();
        var trickling = Task.CompletedTask;
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < PerAddressSlots; i++)
            {
                held.Add(await HostileConnection.OpenAsync(IPAddress.Parse(Attacker), stack.SshPort));
                Assert.StartsWith("SSH-2.0-K8shell_", await held[^1].IdentificationAsync()); // each one was admitted
            }
            trickling = TrickleAsync(held.Where((_, index) => index % 2 == 0).ToList(), stopTrickling.Token);

            for (var i = 0; i < Beyond; i++)
            {
                using var more = await HostileConnection.OpenAsync(IPAddress.Parse(Attacker), stack.SshPort);
                Assert.Equal("", await more.IdentificationAsync()); // closed without a word
            }
            await WellBehavedClient.LogInAsync(new Gateway(stack), "a slowloris attack");

            var closed = await Task.WhenAll(held.Select(connection => connection.ClosedWithinAsync(LoginGrace + TimeSpan.FromSeconds(15))));
            Assert.True(closed.All(done => done), $"{closed.Count(done => !done)} of {held.Count} slow connections were still open {clock.Elapsed.TotalSeconds:F0} s after they began");
            TestContext.Current.TestOutputHelper?.WriteLine($"slowloris: {held.Count} held connections closed {clock.Elapsed.TotalSeconds:F1} s after the first opened");
        }
        finally
        {
            await stopTrickling.CancelAsync();
            await trickling;
            held.ForEach(connection => connection.Dispose());
        }

        var logs = await ProxyLogs.WaitForAsync(stack, Attacker, $"failed: login grace time of {LoginGrace.TotalSeconds:F0} s exceeded", PerAddressSlots);
        Assert.Equal(Beyond, logs.Count(body => body.Contains("MaxStartupsPerIp", StringComparison.Ordinal)));
    }

    /// <summary>An identification line, one byte every two seconds on each connection, never finished.</summary>
    private static async Task TrickleAsync(List<HostileConnection> connections, CancellationToken stop)
    {
        try
        {
            foreach (var b in "SSH-2.0-slowloris_0.1 taking its time"u8.ToArray())
            {
                foreach (var connection in connections)
                {
                    await connection.TrySendAsync(new[] { b });
                }
                await Task.Delay(TimeSpan.FromSeconds(2), stop);
            }
        }
        catch (OperationCanceledException)
        {
            // The test has seen what it needed.
        }
    }
}
