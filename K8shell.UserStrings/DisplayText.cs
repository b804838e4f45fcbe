using System.Globalization;
using System.Text;

namespace K8shell.UserStrings;

/// <summary>
/// Quotes user input for error messages. The proxy shows them in the SSH auth banner, so control and
/// format characters (terminal escapes, bidi overrides) are written as <c>\u{…}</c> instead, as Go's <c>%q</c> would.
/// </summary>
internal static class DisplayText
{
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append("\\\\");
                    break;
                default:
                    if (rune.Value == ' ' || IsVisible(rune))
                    {
                        quoted.Append(rune.ToString());
                    }
                    else
                    {
                        quoted.Append(CultureInfo.InvariantCulture, $"\\u{{{rune.Value:X4}}}");
                    }

                    break;
            }
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Letters, marks, digits, punctuation and symbols: what shows as itself and cannot move the cursor.</summary>
    public static bool IsVisible(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.SpaceSeparator => false,
        _ => true,
    };
}
