using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace K8shell.SshProxy.Tests.Telemetry;

/// <summary>
/// What the proxy's code reports while a test runs, as an OpenTelemetry SDK would receive it: every span that ends
/// (from any source, so the gRPC client's spans under ours are seen too; tests pick theirs by trace ID) and every
/// measurement of the instruments made by the given meter factory (one harness's factory, not another test class's).
/// </summary>
public sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _measurements = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _recorded = new();

    public TelemetryCapture(IMeterFactory meters)
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _measurements.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _measurements.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _recorded.Enqueue((instrument.Name, value, tags.ToArray())));
        _measurements.Start();
    }

    /// <summary>Ended spans of the trace <paramref name="trace"/>.</summary>
    public IReadOnlyList<Activity> SpansOf(ActivityTraceId trace) => [.. _stopped.Where(span => span.TraceId == trace)];

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include every one of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _recorded.Where(measurement => measurement.Instrument == instrument
                && tags.All(tag => measurement.Tags.Any(given => given.Key == tag.Key && Equals(given.Value, tag.Value))))
            .Sum(measurement => measurement.Value);

    public void Dispose()
    {
        _activities.Dispose();
        _measurements.Dispose();
    }
}
