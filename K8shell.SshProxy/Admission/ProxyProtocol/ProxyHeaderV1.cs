using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8shell.SshProxy.Admission.ProxyProtocol;

/// <summary>
/// The text header <c>PROXY TCP4|TCP6 src dst sport dport\r\n</c> or <c>PROXY UNKNOWN ...\r\n</c>
/// (haproxy's proxy-protocol.txt §2.1): at most 107 bytes, CRLF included.
/// </summary>
internal static class ProxyHeaderV1
{
    public const int MaxLength = 107;

    /// <summary>
    /// False while the line is incomplete; otherwise the bytes it takes and the source it names
    /// (null for UNKNOWN: use the peer's address). Throws <see cref="ProxyProtocolException"/> on anything malformed.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out int consumed, out IPEndPoint? source)
    {
        consumed = 0;
        source = null;
        var end = buffer[..Math.Min(buffer.Length, MaxLength)].IndexOf("\r\n"u8);
        if (end < 0)
        {
            if (buffer.Length >= MaxLength)
            {
                throw new ProxyProtocolException($"PROXY v1 header has no CRLF within {MaxLength} bytes.");
            }
            return false;
        }
        var line = buffer[..end];
        if (line.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            throw new ProxyProtocolException("PROXY v1 header contains bytes that are not printable ASCII.");
        }
        consumed = end + 2;
        var fields = Encoding.ASCII.GetString(line).Split(' ');
        if (fields.Length >= 2 && fields[1] == "UNKNOWN")
        {
            return true;
        }
        if (fields.Length != 6)
        {
            throw new ProxyProtocolException($"PROXY v1 header has {fields.Length} fields, expected 6 (PROXY TCP4|TCP6 src dst sport dport).");
        }
        var family = fields[1] switch
        {
            "TCP4" => AddressFamily.InterNetwork,
            "TCP6" => AddressFamily.InterNetworkV6,
            _ => throw new ProxyProtocolException($"PROXY v1 header has protocol '{fields[1]}', expected TCP4, TCP6 or UNKNOWN."),
        };
        var address = ParseAddress(fields[2], family, "source");
        ParseAddress(fields[3], family, "destination");
        var port = ParsePort(fields[4], "source");
        ParsePort(fields[5], "destination");
        source = new IPEndPoint(address, port);
        return true;
    }

    private static IPAddress ParseAddress(string text, AddressFamily family, string which)
    {
        // IPAddress.TryParse also takes "1" or "0x7f.1" as IPv4; the header must carry the dotted-quad form.
        var wellFormed = IPAddress.TryParse(text, out var address)
            && address.AddressFamily == family
            && (family != AddressFamily.InterNetwork || text.Count(c => c == '.') == 3);
        return wellFormed
            ? address!
            : throw new ProxyProtocolException($"PROXY v1 header has {which} address '{text}', not an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.");
    }

    private static int ParsePort(string text, string which) =>
        text.Length <= 5 && ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : throw new ProxyProtocolException($"PROXY v1 header has {which} port '{text}', not 0-65535.");
}
