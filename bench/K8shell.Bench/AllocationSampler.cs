using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace K8shell.Bench;

/// <summary>
/// Which types the process allocates, from the runtime's AllocationTick events (one per ~100 KB
/// allocated, naming the type that crossed the mark): a sampled allocation profile without any tool.
/// Enabled by BENCH_ALLOCATIONS=1; results are per measure, so the data path can be told from setup.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new();
    private volatile bool _recording;

    public static AllocationSampler? FromEnvironment() =>
        Environment.GetEnvironmentVariable("BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;

    public void Start()
    {
        _bytesByType.Clear();
        _recording = true;
    }

    /// <summary>Leaves out what happens meanwhile (the sshd runs, whose client work is not ours).</summary>
    public void Pause() => _recording = false;

    public void Resume() => _recording = true;

    /// <summary>Stops recording and returns the types that made up the samples, largest first.</summary>
    public IReadOnlyList<(string Type, long Bytes)> Stop()
    {
        _recording = false;
        return [.. _bytesByType.OrderByDescending(entry => entry.Value).Select(entry => (entry.Key, entry.Value))];
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        if (!_recording || data.EventName?.StartsWith("GCAllocationTick") != true || data.Payload is null)
        {
            return;
        }
        var type = data.PayloadNames!.IndexOf("TypeName") is var index and >= 0 ? data.Payload[index] as string ?? "?" : "?";
        var amount = data.PayloadNames.IndexOf("AllocationAmount64") is var amountIndex and >= 0 ? Convert.ToInt64(data.Payload[amountIndex]) : 100_000;
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
