using System.Buffers.Text;
using System.Text;

namespace K8shell.UserStrings;

/// <summary>
/// The payload of the <c>b64-</c>/<c>base64-</c> wrapper: base64url without padding, decoded like Go's
/// <c>base64.RawURLEncoding</c> (CR and LF ignored, <c>=</c> refused, unused trailing bits tolerated), which
/// .NET's own decoder does not quite do (it accepts padding and other white space).
/// </summary>
internal static class Base64UrlText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Base64url of the UTF-8 bytes, no padding: what the CLI sends for VS Code.</summary>
    public static string Encode(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    /// <summary>The most characters a payload can have and still decode to at most <paramref name="bytes"/> bytes.</summary>
    public static int MaxEncodedLength(int bytes) => (bytes / 3 * 4) + (bytes % 3 == 0 ? 0 : (bytes % 3) + 1);

    /// <returns>Null on success, else why it failed (for a message).</returns>
    public static string? TryDecode(ReadOnlySpan<char> payload, out string text)
    {
        text = "";
        var bytes = new byte[(payload.Length * 3 / 4) + 1];
        var length = 0;
        var sextets = 0;
        var buffer = 0;
        var bits = 0;
        for (var i = 0; i < payload.Length; i++)
        {
            var c = payload[i];
            if (c is '\r' or '\n')
            {
                continue;
            }

            var value = SextetValue(c);
            if (value < 0)
            {
                return $"illegal base64url data at input byte {i}";
            }

            buffer = (buffer << 6) | value;
            bits += 6;
            sextets++;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[length++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        if (sextets % 4 == 1)
        {
            return $"illegal base64url data at input byte {payload.Length}";
        }

        try
        {
            text = StrictUtf8.GetString(bytes, 0, length);
            return null;
        }
        catch (DecoderFallbackException)
        {
            return "the decoded bytes are not UTF-8 text";
        }
    }

    private static int SextetValue(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => -1,
    };
}
