namespace K8shell.Sessions.Records;

/// <summary>Section <c>Sessions:Retention</c>: how long ended sessions (and their recordings) are kept.</summary>
internal sealed class RetentionOptions
{
    public const string Section = "Sessions:Retention";

    /// <summary>What ended longer ago than this is deleted. Zero keeps everything forever.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often a replica tries a round.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Items deleted per statement; a round repeats while batches are full.</summary>
    public int BatchSize { get; set; } = 100;

    public bool Enabled => MaxAge > TimeSpan.Zero;
}
