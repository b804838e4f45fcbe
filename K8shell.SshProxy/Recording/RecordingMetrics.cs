using System.Diagnostics.Metrics;

namespace K8shell.SshProxy.Recording;

/// <summary>What recordings took in and what they had to drop (the proxy's meter, <see cref="ProxyTelemetry.Name"/>): drops mean Sessions could not keep up.</summary>
internal sealed class RecordingMetrics
{
    private readonly Counter<long> _recorded;
    private readonly Counter<long> _dropped;

    public RecordingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ProxyTelemetry.Name);
        _recorded = meter.CreateCounter<long>("k8shell.proxy.recording.bytes", "By", "Channel bytes taken into recordings");
        _dropped = meter.CreateCounter<long>("k8shell.proxy.recording.dropped_bytes", "By", "Channel bytes dropped because a recording's buffer was full");
    }

    public void Recorded(int bytes) => _recorded.Add(bytes);

    public void Dropped(int bytes) => _dropped.Add(bytes);
}
