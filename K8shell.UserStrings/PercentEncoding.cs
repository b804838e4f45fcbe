using System.Text;

namespace K8shell.UserStrings;

/// <summary>
/// Percent-decoding with the semantics of Go's <c>url.PathUnescape</c> (the reference parser's), and the
/// matching escape for the strings we write.
/// </summary>
internal static class PercentEncoding
{
    private const string HexDigits = "0123456789ABCDEF";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes <c>%XX</c> escapes. As in Go, <c>+</c> stays <c>+</c> (this is a path segment, not a query) and a
    /// <c>%</c> not followed by two hex digits is an error. Unlike Go, the decoded bytes must be UTF-8: Go keeps
    /// stray bytes and later turns them into U+FFFD in ways .NET cannot reproduce, so we refuse them.
    /// </summary>
    /// <returns>Null on success, else why it failed (for a message).</returns>
    public static string? TryUnescape(string text, out string decoded)
    {
        decoded = text;
        var percent = text.IndexOf('%');
        if (percent < 0)
        {
            return null;
        }

        for (var i = percent; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
            {
                return $"invalid URL escape {DisplayText.Quote(text.Substring(i, Math.Min(3, text.Length - i)))}";
            }

            i += 2;
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var length = 0;
        var start = 0;
        for (var i = percent; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                continue;
            }

            length += Encoding.UTF8.GetBytes(text.AsSpan(start, i - start), bytes.AsSpan(length));
            bytes[length++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
            i += 2;
            start = i + 1;
        }

        length += Encoding.UTF8.GetBytes(text.AsSpan(start), bytes.AsSpan(length));
        try
        {
            decoded = StrictUtf8.GetString(bytes, 0, length);
            return null;
        }
        catch (DecoderFallbackException)
        {
            decoded = text;
            return "percent escapes that do not decode to UTF-8 text";
        }
    }

    /// <summary>
    /// Escapes what the parser would otherwise split on, trim or choke on, with upper-case hex like Go.
    /// ASCII: all but letters, digits, <c>-</c>, <c>_</c> and <c>.</c>. Go's <c>url.PathEscape</c> leaves
    /// <c>+ = @ ~ $ &amp; :</c> raw; we do not: <c>+</c> and <c>=</c> would split the value when parsed again,
    /// and <c>@ ~ :</c> confuse ssh, scp and VS Code (§2.3 rule 10). Beyond ASCII only white space and
    /// invisible characters are escaped (Go escapes all): a readable name stays readable, and the canonical
    /// string stays within the length limit whenever the input did.
    /// </summary>
    public static string Escape(string text)
    {
        if (text.All(IsUnreserved))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length * 3);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.IsAscii ? IsUnreserved((char)rune.Value) : DisplayText.IsVisible(rune))
            {
                escaped.Append(rune.ToString());
                continue;
            }

            foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
            {
                escaped.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        return escaped.ToString();
    }

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
