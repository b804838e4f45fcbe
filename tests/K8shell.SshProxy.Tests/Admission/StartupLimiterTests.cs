using System.Net;
using K8shell.SshProxy.Admission.Limits;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Tests.Admission;

public sealed class StartupLimiterTests
{
    private static StartupLimiter Limiter(int perIp, int total) =>
        new(Options.Create(new StartupLimitOptions { MaxStartupsPerIp = perIp, MaxStartups = total }));

    [Fact]
    public void One_address_cannot_take_more_than_its_share_and_others_still_get_in()
    {
        var limiter = Limiter(perIp: 2, total: 10);
        var attacker = IPAddress.Parse("203.0.113.66");

        Assert.True(limiter.TryAcquire(attacker, out _, out _));
        Assert.True(limiter.TryAcquire(attacker, out _, out _));
        Assert.False(limiter.TryAcquire(attacker, out var none, out var reason));
        // The same client over a dual-stack socket is the same client.
        Assert.False(limiter.TryAcquire(IPAddress.Parse("::ffff:203.0.113.66"), out _, out _));

        Assert.Null(none);
        Assert.Equal("2 unauthenticated connections from 203.0.113.66 already (SshProxy:Limits:MaxStartupsPerIp = 2)", reason);
        Assert.True(limiter.TryAcquire(IPAddress.Parse("198.51.100.1"), out _, out _));
    }

    [Fact]
    public void The_global_limit_holds_across_addresses()
    {
        var limiter = Limiter(perIp: 5, total: 3);
        for (var i = 1; i <= 3; i++)
        {
            Assert.True(limiter.TryAcquire(IPAddress.Parse($"198.51.100.{i}"), out _, out _));
        }

        Assert.False(limiter.TryAcquire(IPAddress.Parse("198.51.100.9"), out _, out var reason));
        Assert.Equal("3 unauthenticated connections already (SshProxy:Limits:MaxStartups = 3)", reason);
    }

    [Fact]
    public void A_lease_released_twice_frees_one_slot_only()
    {
        var limiter = Limiter(perIp: 1, total: 2);
        var client = IPAddress.Parse("203.0.113.1");
        Assert.True(limiter.TryAcquire(client, out var first, out _));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("203.0.113.2"), out _, out _));

        first.Dispose(); // authenticated
        first.Dispose(); // connection ended

        Assert.Equal(1, limiter.Count);
        Assert.True(limiter.TryAcquire(client, out _, out _));
        Assert.False(limiter.TryAcquire(IPAddress.Parse("203.0.113.3"), out _, out _));
    }

    [Fact]
    public async Task Under_concurrent_connections_no_limit_is_ever_exceeded_and_every_slot_comes_back()
    {
        const int PerIp = 3;
        const int Total = 7;
        var limiter = Limiter(PerIp, Total);
        IPAddress[] clients = [.. Enumerable.Range(1, 4).Select(i => IPAddress.Parse($"203.0.113.{i}"))];
        var held = new int[clients.Length];
        var heldTotal = 0;
        var violations = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var index = (worker + i) % clients.Length;
                if (!limiter.TryAcquire(clients[index], out var lease, out _))
                {
                    continue;
                }
                if (Interlocked.Increment(ref held[index]) > PerIp | Interlocked.Increment(ref heldTotal) > Total)
                {
                    Interlocked.Increment(ref violations);
                }
                Interlocked.Decrement(ref held[index]);
                Interlocked.Decrement(ref heldTotal);
                lease.Dispose();
                lease.Dispose();
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(0, violations);
        Assert.Equal(0, limiter.Count);
        for (var i = 0; i < Total; i++)
        {
            Assert.True(limiter.TryAcquire(IPAddress.Parse($"198.51.100.{i}"), out _, out _));
        }
    }
}
