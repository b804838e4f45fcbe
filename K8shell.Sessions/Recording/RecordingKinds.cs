namespace K8shell.Sessions.Recording;

/// <summary>The four kinds of recorded channel and the file format each is written in (sessions.proto, SPEC.md §5).</summary>
internal static class RecordingKinds
{
    public const string Asciinema = "asciinema";
    public const string Pcap = "pcap";

    /// <summary>"asciinema" for terminals (shell, exec), "pcap" for byte streams (port forwards, SFTP).</summary>
    public static string FormatOf(string kind) => kind is RecordingDirectory.Shell or RecordingDirectory.Exec ? Asciinema : Pcap;

    /// <summary>The content type a download of the format is served as.</summary>
    public static string ContentTypeOf(string format) => format == Asciinema ? "application/x-asciicast" : "application/vnd.tcpdump.pcap";
}
