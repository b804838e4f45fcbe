namespace K8shell.Bench;

/// <summary>Timings of one operation against one server, and how to summarise them.</summary>
internal sealed class Measurement
{
    private readonly List<TimeSpan> _times = [];
    private readonly List<long> _allocated = [];
    private readonly List<TimeSpan> _cpu = [];

    public void Add(TimeSpan time) => _times.Add(time);

    /// <summary>Bytes the server allocated during one run (in-process servers only).</summary>
    public void AddAllocated(long bytes) => _allocated.Add(bytes);

    /// <summary>CPU the server used during one run (see <see cref="ServerCpu"/>).</summary>
    public void AddCpu(TimeSpan cpu) => _cpu.Add(cpu);

    public bool HasCpu => _cpu.Count > 0;

    public TimeSpan MedianCpu => _cpu.Order().ElementAt(_cpu.Count / 2);

    public bool HasAllocations => _allocated.Count > 0;

    public long MedianAllocated => _allocated.Order().ElementAt(_allocated.Count / 2);

    public TimeSpan Median
    {
        get
        {
            var sorted = _times.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    public TimeSpan Min => _times.Min();

    public TimeSpan Max => _times.Max();
}
