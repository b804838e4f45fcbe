namespace K8shell.Sessions.Records;

/// <summary>Section <c>Sessions:Janitor</c>: ending sessions whose proxy stopped reporting (reference §5.3).</summary>
internal sealed class JanitorOptions
{
    public const string Section = "Sessions:Janitor";

    /// <summary>An active session not updated for this long is ended (the proxy upserts every 10 s).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a replica tries a round.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Sessions ended per statement; a round repeats while batches are full.</summary>
    public int BatchSize { get; set; } = 100;
}
