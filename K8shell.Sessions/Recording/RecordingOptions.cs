namespace K8shell.Sessions.Recording;

/// <summary>Section <c>Sessions:Recording</c>: how recording headers' user tokens are checked, and how long idle files stay open.</summary>
internal sealed class RecordingOptions
{
    public const string Section = "Sessions:Recording";

    /// <summary>Identity's <c>/.well-known/jwks.json</c>. Default: <c>services:identity:http:0</c> + that path.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>The audience user tokens must carry: the proxy asks Identity for it.</summary>
    public string UserTokenAudience { get; set; } = "sessions";

    /// <summary>The issuer user tokens must name (Identity's <c>Identity:Tokens:Issuer</c>); any when empty, as k8shelld's <c>Auth:Issuer</c>.</summary>
    public string? UserTokenIssuer { get; set; }

    /// <summary>
    /// How far the catalog may lag a file being written: where a stream stands is saved this long after a frame at
    /// most (and whenever a call ends or a resume asks). After a crash, a resume starts from there. Shorter costs a
    /// database write per open file that often; longer makes a proxy resend more after a crash.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A file no call has written for this long is saved and closed (it stays resumable), so a connection that
    /// vanished without EndRecordingSession does not hold it open forever.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
