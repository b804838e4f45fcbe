using System.Globalization;
using System.Text;

namespace K8shell.UserStrings.Tests;

/// <summary>
/// The seeded runs use a fixed seed so CI is repeatable; set <c>K8SHELL_TEST_SEED</c> to explore others.
/// Every failure message starts with the seed and the case, which replays it.
/// </summary>
internal static class Seeds
{
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("K8SHELL_TEST_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20260611;

    /// <summary>C#-escaped text, so a failing input can be pasted into a test as it is.</summary>
    public static string Show(string text)
    {
        var shown = new StringBuilder("\"");
        foreach (var c in text)
        {
            shown.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when c < 0x20 || c > 0x7e => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return shown.Append('"').ToString();
    }
}
