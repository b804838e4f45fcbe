using K8shell.Testing;

namespace K8shell.Shield.Tests.Service;

/// <summary>Shield keeps consuming when NATS goes away and comes back (its own nats-server, to stop it).</summary>
public sealed class NatsRestartTests : IAsyncLifetime
{
    private NatsServer _nats = null!;
    private ShieldTestBed _bed = null!;

    public async ValueTask InitializeAsync()
    {
        _nats = await NatsServer.StartAsync(TestContext.Current.CancellationToken);
        _bed = new ShieldTestBed(_nats.Url);
    }

    public async ValueTask DisposeAsync()
    {
        await _bed.DisposeAsync();
        await _nats.DisposeAsync();
    }

    [Fact]
    public async Task Failures_before_and_after_a_NATS_restart_add_up_to_a_ban()
    {
        await _bed.StartAsync();
        await _bed.PublishFailuresAsync("203.0.113.50", 2);
        await _bed.WaitForRecordAsync("203.0.113.50", record => record.Failures.Count == 2, "two failures counted");

        await _nats.StopAsync();
        await _nats.StartAgainAsync(TestContext.Current.CancellationToken);
        await _bed.WaitForConsumerAsync();
        await _bed.PublishFailuresAsync("203.0.113.50", 2);

        Assert.EndsWith("strike 1", (await _bed.WaitForBanAsync("203.0.113.50")).Reason);
    }
}
