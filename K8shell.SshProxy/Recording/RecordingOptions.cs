namespace K8shell.SshProxy.Recording;

/// <summary>Section <c>SshProxy:Recording</c>: which channels are recorded without a policy obligation, and how recordings behave.</summary>
internal sealed class RecordingOptions
{
    public const string Section = "SshProxy:Recording";

    /// <summary>Record shells when the policy gives no <c>record</c> obligation.</summary>
    public bool Shell { get; set; }

    public bool Exec { get; set; }

    public bool Sftp { get; set; }

    public bool DirectTcpip { get; set; }

    /// <summary>Keep keystrokes of shells and exec (asciinema "i" events); forwards always keep both directions.</summary>
    public bool RecordInput { get; set; }

    /// <summary>
    /// What one recording may hold that Sessions has not confirmed on disk. Beyond it, bytes are dropped and a gap
    /// marker says how many: the channel never waits for Sessions.
    /// </summary>
    public long BufferBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Whether a channel that must be recorded may start while Sessions is unreachable.</summary>
    public RecordingFailMode FailMode { get; set; } = RecordingFailMode.Open;

    /// <summary>How long closing a channel waits for its recording to reach Sessions before giving up on the rest.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two attempts to reach Sessions again; the first is 100 ms, doubled each time.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a recording asks Sessions what it has on disk, to free the frames it keeps for a resend.</summary>
    public TimeSpan ConfirmInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>What to do with a channel that must be recorded when Sessions cannot be reached.</summary>
internal enum RecordingFailMode
{
    /// <summary>Start it, buffer (bounded), and send once Sessions is back.</summary>
    Open,

    /// <summary>Refuse it: nothing unrecorded may happen.</summary>
    Closed,
}
