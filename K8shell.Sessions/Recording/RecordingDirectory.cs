using System.Text;

namespace K8shell.Sessions.Recording;

/// <summary>
/// The layout of recordings on disk, <c>&lt;data&gt;/recordings/&lt;user&gt;/&lt;kind&gt;/&lt;name&gt;</c> (SPEC.md §5).
/// Every part is checked to be one plain path segment, so no user or client-chosen name can reach outside it.
/// </summary>
internal sealed class RecordingDirectory(string dataDirectory)
{
    public const string Shell = "shell";
    public const string Exec = "exec";
    public const string Tcpip = "tcpip";
    public const string Sftp = "sftp";

    // NAME_MAX on Linux file systems, in bytes.
    private const int MaxSegmentBytes = 255;

    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Root { get; } = Path.GetFullPath(Path.Combine(dataDirectory, "recordings"));

    /// <summary>Creates a new recording file (folders as needed, private to the service); it must not exist yet.</summary>
    public RecordingFile Create(string user, string kind, string name, TimeProvider? time = null) => Create(RelativePath(user, kind, name), time);

    /// <summary>Creates a new recording file at a path the catalog keeps; it must not exist yet.</summary>
    public RecordingFile Create(string relativePath, TimeProvider? time = null)
    {
        var path = FullPath(relativePath);
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, PrivateFolder);
        }
        return RecordingFile.Create(path, time);
    }

    /// <summary>Continues a recording after its first <paramref name="length"/> bytes (<see cref="RecordingFile.OpenForAppend"/>).</summary>
    public RecordingFile OpenForAppend(string relativePath, long length, TimeProvider? time = null) =>
        RecordingFile.OpenForAppend(FullPath(relativePath), length, time);

    /// <summary><c>&lt;user&gt;/&lt;kind&gt;/&lt;name&gt;</c>, as the catalog keeps it; ArgumentException as for <see cref="PathOf"/>.</summary>
    public string RelativePath(string user, string kind, string name) =>
        Path.GetRelativePath(Root, PathOf(user, kind, name)).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Where a path the catalog keeps points; ArgumentException when it would leave the recordings folder.</summary>
    public string FullPath(string relativePath)
    {
        var path = Path.GetFullPath(Path.Combine(Root, relativePath));
        if (Path.IsPathRooted(relativePath) || !path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The recording path {relativePath} is outside {Root}.", nameof(relativePath));
        }
        return path;
    }

    /// <summary>Where a recording lives; ArgumentException when a part is not a plain path segment.</summary>
    public string PathOf(string user, string kind, string name)
    {
        CheckSegment(user, nameof(user));
        CheckSegment(kind, nameof(kind));
        CheckSegment(name, nameof(name));
        var path = Path.GetFullPath(Path.Combine(Root, user, kind, name));
        // Belt and braces: the checks above already rule this out.
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The recording path {path} is outside {Root}.", nameof(name));
        }
        return path;
    }

    /// <summary>The file name of a terminal recording: <c>&lt;stream id&gt;.cast</c>.</summary>
    public static string CastName(string streamId) => Escape(streamId) + ".cast";

    /// <summary>
    /// The file name of a connection's captures to one destination, <c>&lt;connection&gt;_&lt;host&gt;_&lt;port&gt;.pcap</c>,
    /// with the client-chosen host name escaped so it cannot add folders.
    /// </summary>
    public static string PcapName(string connectionId, string destinationHost, uint destinationPort) =>
        $"{Escape(connectionId)}_{Escape(destinationHost)}_{destinationPort}.pcap";

    /// <summary>The file name of a connection's SFTP channels, <c>&lt;connection&gt;.pcap</c>: they all go to the workspace's SFTP server.</summary>
    public static string SftpPcapName(string connectionId) => $"{Escape(connectionId)}.pcap";

    private static void CheckSegment(string value, string parameter)
    {
        var span = value.AsSpan();
        if (span.IsEmpty || span is "." or ".." || span.IndexOfAny('/', '\\') >= 0 || span.ContainsAnyInRange('\0', '\u001f')
            || span.Contains('\u007f') || Encoding.UTF8.GetByteCount(span) > MaxSegmentBytes)
        {
            throw new ArgumentException(
                $"\"{value.ReplaceLineEndings(" ")}\" cannot name a recording folder or file: it must be one path segment "
                + "without '/', '\\' or control characters, not '.' or '..', at most 255 bytes.", parameter);
        }
    }

    /// <summary>Percent-encodes all but letters, digits, '-', '.' and ':' (UTF-8), so distinct names stay distinct.</summary>
    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or ':')
            {
                escaped.Append(c);
                continue;
            }
            var length = char.IsSurrogatePair(value, i)
                ? Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes([c], utf8);
            foreach (var b in utf8[..length])
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }
}
