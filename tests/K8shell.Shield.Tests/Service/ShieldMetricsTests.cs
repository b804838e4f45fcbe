using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using K8shell.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K8shell.Shield.Tests.Service;

/// <summary>Shield's metrics, read as an exporter would: bans by strike, events consumed, bans still active.</summary>
public sealed class ShieldMetricsTests(NatsServerFixture nats) : IAsyncLifetime
{
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _measured = new();
    private ShieldTestBed _bed = null!;
    private MeterListener _listener = null!;

    public ValueTask InitializeAsync()
    {
        _bed = new ShieldTestBed(nats.Url);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _listener?.Dispose();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task A_ban_counts_by_strike_and_stays_active_until_it_expires()
    {
        var host = await _bed.StartAsync();
        Listen(host.Services.GetRequiredService<IMeterFactory>());

        await _bed.PublishFailuresAsync("203.0.113.80", 4);
        await _bed.WaitForBanAsync("203.0.113.80");
        // The ban is counted just after it is written, so the test may read the bucket first.
        Assert.True(await Eventually.WaitAsync(() => Sum(ShieldTelemetry.BansCounterName, ("strike", 1)) == 1, ShieldTestBed.Patience,
            TestContext.Current.CancellationToken), $"bans by strike: {Sum(ShieldTelemetry.BansCounterName)}");
        _listener.RecordObservableInstruments();

        Assert.Equal(4, Sum(ShieldTelemetry.EventsCounterName));
        Assert.Equal(1, Last(ShieldTelemetry.ActiveBansGaugeName));

        _bed.Time.Now += TimeSpan.FromMinutes(1); // the first strike's ban ends
        _listener.RecordObservableInstruments();
        Assert.Equal(0, Last(ShieldTelemetry.ActiveBansGaugeName));
    }

    private void Listen(IMeterFactory meters)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // Only this host's instruments: other tests' hosts share the process.
                if (ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measured.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _measured.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    private long Sum(string instrument, params (string Key, object Value)[] tags) =>
        _measured.Where(measured => measured.Instrument == instrument
                && tags.All(tag => measured.Tags.Any(given => given.Key == tag.Key && Equals(given.Value, tag.Value))))
            .Sum(measured => measured.Value);

    private long Last(string instrument) => _measured.Last(measured => measured.Instrument == instrument).Value;
}
