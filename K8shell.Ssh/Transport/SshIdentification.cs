using System.Text;

namespace K8shell.Ssh.Transport;

/// <summary>
/// An identification string, "SSH-protoversion-softwareversion SP comments" (RFC 4253 §4.2).
/// <see cref="Line"/> is the exact text without CR LF: it goes into the exchange hash.
/// </summary>
public sealed record SshIdentification(string Line, string ProtocolVersion, string SoftwareVersion, string? Comments)
{
    /// <summary>RFC 4253 §4.2: the whole line, CR LF included, is at most 255 characters.</summary>
    public const int MaxLineLength = 255;

    /// <summary>Ours: <c>SSH-2.0-&lt;softwareVersion&gt;</c>, e.g. <c>SSH-2.0-K8shell_0.1.0</c>.</summary>
    public static SshIdentification ForServer(string softwareVersion)
    {
        if (softwareVersion.Length == 0 || softwareVersion.Any(c => c is <= ' ' or '-' or > '~'))
        {
            throw new ArgumentException("software version must be printable ASCII without spaces or '-'", nameof(softwareVersion));
        }
        return new($"SSH-2.0-{softwareVersion}", "2.0", softwareVersion, null);
    }

    /// <summary>The bytes to send: the line and CR LF.</summary>
    public byte[] ToWire() => Encoding.Latin1.GetBytes(Line + "\r\n");

    /// <summary>The line's exact bytes, without CR LF, as the exchange hash takes them (RFC 4253 §8).</summary>
    public byte[] LineBytes() => Encoding.Latin1.GetBytes(Line);

    /// <summary>Parses a line that starts with "SSH-" (CR LF already removed).</summary>
    internal static SshIdentification Parse(string line)
    {
        // "SSH-" protoversion "-" softwareversion [SP comments]
        var versionEnd = line.IndexOf('-', 4);
        if (versionEnd < 0)
        {
            throw Invalid("no software version");
        }
        var protocolVersion = line[4..versionEnd];
        if (protocolVersion is not ("2.0" or "1.99"))
        {
            // 1.99 announces a server or client that speaks 2.0 as well (RFC 4253 §5.1).
            throw new SshProtocolException(SshDisconnectReason.ProtocolVersionNotSupported,
                $"protocol version {protocolVersion} is not supported; only SSH-2.0 is");
        }

        var rest = line[(versionEnd + 1)..];
        var space = rest.IndexOf(' ');
        var softwareVersion = space < 0 ? rest : rest[..space];
        if (softwareVersion.Length == 0 || softwareVersion.Any(c => c is <= ' ' or > '~'))
        {
            throw Invalid("software version must be printable ASCII without spaces");
        }
        return new(line, "2.0", softwareVersion, space < 0 ? null : rest[(space + 1)..]);
    }

    private static SshProtocolException Invalid(string why) =>
        new(SshDisconnectReason.ProtocolError, $"invalid identification string: {why}");
}
