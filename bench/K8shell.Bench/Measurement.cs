namespace K8shell.Bench;

/// <summary>Timings of one operation against one server, and how to summarise them.</summary>
internal sealed class Measurement(string server)
{
    private readonly List<TimeSpan> _times = [];

    public string Server { get; } = server;

    public void Add(TimeSpan time) => _times.Add(time);

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
