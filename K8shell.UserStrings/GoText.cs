using System.Text;

namespace K8shell.UserStrings;

/// <summary>
/// Go's <c>strings.TrimSpace</c>, <c>strings.ToLower</c> and <c>utf8.RuneCountInString</c>, because the
/// lower-cased names feed the canonical ID, which must match the Go implementation bit for bit.
/// </summary>
internal static class GoText
{
    /// <summary>Go's <c>unicode.IsSpace</c> is Unicode's White_Space property, which is exactly .NET's <see cref="char.IsWhiteSpace(char)"/>.</summary>
    public static string TrimSpace(string text) => text.Trim();

    /// <inheritdoc cref="TrimSpace(string)"/>
    public static ReadOnlySpan<char> TrimSpace(ReadOnlySpan<char> text) => text.Trim();

    /// <summary>
    /// Per-rune simple lower-casing like Go's <c>unicode.ToLower</c>. .NET's invariant casing leaves
    /// U+0130 (İ) alone where Go maps it to <c>i</c>; that one is patched.
    /// </summary>
    public static string ToLower(string text)
    {
        if (Ascii.IsValid(text))
        {
            return text.ToLowerInvariant();
        }

        var lowered = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            lowered.Append(rune.Value == 0x130 ? new Rune('i') : Rune.ToLowerInvariant(rune));
        }

        return lowered.ToString();
    }

    /// <summary>Counts Unicode scalar values (Go's runes); a lone surrogate counts as one and makes <paramref name="valid"/> false.</summary>
    public static int RuneCount(string text, out bool valid)
    {
        valid = true;
        var count = 0;
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                valid = false;
            }

            rest = rest[used..];
            count++;
        }

        return count;
    }
}
