namespace K8shell.SshProxy.Recording;

/// <summary>Recordings of one connection's channels (SPEC.md §5), streamed to Sessions.</summary>
internal interface IChannelRecorders
{
    /// <summary>
    /// Starts recording a channel when <paramref name="request"/>'s kind is to be recorded: the
    /// <c>record</c> obligation of <c>session:start</c> when the policy gave one, the static
    /// configuration otherwise. Null when not recorded. Throws <see cref="RecordingRefusedException"/>
    /// when the channel must be recorded but cannot be (Sessions unreachable with failMode closed).
    /// </summary>
    ValueTask<IChannelRecording?> StartAsync(RecordingRequest request, CancellationToken cancellationToken);
}

/// <summary>The kinds of the <c>record</c> obligation and of Sessions' recordings.</summary>
internal enum RecordingKind
{
    Shell,
    Exec,
    Sftp,
    DirectTcpip,
}

/// <summary>
/// What to record. <paramref name="Obligation"/>: the <c>record</c> obligation's value (<c>none</c> or a comma list
/// of <c>shell</c>, <c>exec</c>, <c>sftp</c>, <c>direct-tcpip</c>), null when the policy gave none.
/// </summary>
internal sealed record RecordingRequest(RecordingKind Kind, string StreamId, string? Obligation)
{
    /// <summary>Shell and exec with a PTY: the terminal.</summary>
    public string? Term { get; init; }

    public uint Columns { get; init; }

    public uint Rows { get; init; }

    /// <summary>The workspace user's login shell (asciinema's env.SHELL).</summary>
    public string? Shell { get; init; }

    /// <summary>Exec: the command line.</summary>
    public string? Command { get; init; }

    public bool Pty { get; init; }

    /// <summary>direct-tcpip: the originator and destination as the client gave them.</summary>
    public string? SourceHost { get; init; }

    public uint SourcePort { get; init; }

    public string? DestinationHost { get; init; }

    public uint DestinationPort { get; init; }
}

/// <summary>
/// One channel's recording. Writes never block the channel: bytes go to a bounded buffer that a
/// background stream drains; when it overflows, a gap marker says how much was dropped.
/// </summary>
internal interface IChannelRecording : IAsyncDisposable
{
    /// <summary>Workspace → client bytes (terminal output, the server side of a forward).</summary>
    void Output(ReadOnlySpan<byte> data);

    /// <summary>Client → workspace bytes (keystrokes are kept only when input recording is on).</summary>
    void Input(ReadOnlySpan<byte> data);

    void Resize(uint columns, uint rows);
}

/// <summary>The channel must be recorded and cannot be: the message is for the user.</summary>
internal sealed class RecordingRefusedException(string message) : Exception(message);
