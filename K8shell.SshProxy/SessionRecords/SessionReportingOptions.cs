namespace K8shell.SshProxy.SessionRecords;

/// <summary>Section <c>SshProxy:Sessions</c>: how often a connection's record is refreshed, and how hard its end is retried.</summary>
internal sealed class SessionReportingOptions
{
    public const string Section = "SshProxy:Sessions";

    /// <summary>
    /// Between two upserts of a live connection's record (counters, operations, <c>updated_at</c>). Sessions' janitor
    /// ends records not refreshed for its TTL (5 min), so this must stay well below it.
    /// </summary>
    public TimeSpan UpdateInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times EndSession is tried after the connection closed; then the janitor ends the record.</summary>
    public int EndAttempts { get; set; } = 4;

    /// <summary>The wait before the second EndSession attempt, doubled for each later one.</summary>
    public TimeSpan EndRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
