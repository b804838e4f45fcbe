namespace K8shell.SshProxy.Recording;

/// <summary>
/// Whether a channel kind is recorded (reference §4.4): the <c>record</c> obligation of <c>session:start</c> decides
/// when the policy gave one (<c>none</c>, or a comma list of <c>shell</c>, <c>exec</c>, <c>sftp</c>,
/// <c>direct-tcpip</c>; unknown tokens record nothing), the static configuration otherwise.
/// </summary>
internal static class RecordObligation
{
    public static bool Records(RecordingKind kind, string? obligation, RecordingOptions options) => obligation is null
        ? kind switch
        {
            RecordingKind.Shell => options.Shell,
            RecordingKind.Exec => options.Exec,
            RecordingKind.Sftp => options.Sftp,
            RecordingKind.DirectTcpip => options.DirectTcpip,
            _ => false,
        }
        : obligation.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(Token(kind), StringComparer.Ordinal);

    private static string Token(RecordingKind kind) => kind switch
    {
        RecordingKind.Shell => "shell",
        RecordingKind.Exec => "exec",
        RecordingKind.Sftp => "sftp",
        RecordingKind.DirectTcpip => "direct-tcpip",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
