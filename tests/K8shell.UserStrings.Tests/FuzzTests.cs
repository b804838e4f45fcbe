using System.Text;
using K8shell.Testing.Fuzzing;

namespace K8shell.UserStrings.Tests;

/// <summary>
/// Seeded fuzzing, as long as <see cref="FuzzRun"/> allows: whatever a client sends as its user name, the parser either refuses it with a
/// <see cref="UserStringException"/> (which the proxy turns into a banner) or accepts it, and then its
/// canonical string parses back to the same request. Any other exception would be a bug in the proxy's auth path.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Pieces =
    [
        "~", "+", "=", "%", "/", " ", "\t", "\n", "%2F", "%2f", "%2B", "%3D", "%7E", "%40", "%zz", "%", "%F", "%FF", "%C3%A9", "%ED%A0%80",
        "repo", "ref", "user", "pod", "ns", "workload", "REPO", "deploy", "repo=", "pod=", "ns=", "workload=", "user=", "ref=",
        "b64-", "base64-", "B64-", "YWxpY2U", "==", "-", "_", ".", "alice", "Dev", "deployment", "a", "Z", "0", "9",
        "é", "İ", "ſ", "K", "日本", "😀", "\ud800", "\udc00", "\u0000", "\u001b", "\u202e", "\u00a0", "\u3000", "\u0085", "\uffff",
    ];

    [Fact]
    public void Random_text_is_refused_with_a_user_string_exception_or_canonicalises_to_a_fixed_point()
    {
        var run = FuzzRun.Start("user string parser", fixedSeed: Seeds.Seed);
        var random = run.Random;
        var accepted = 0;
        while (run.Next())
        {
            var input = (run.Cases % 4) switch
            {
                0 => Pieced(random),
                1 => UserStringBuilder.Wrap(Pieced(random)),
                2 => RandomChars(random),
                _ => RandomBytes(random),
            };
            if (Check(input, run.ToString()))
            {
                accepted++;
            }
        }

        // Not all refusals: the pieces must reach the accepting paths too.
        Assert.True(accepted > run.Cases / 50, $"{run}: only {accepted} of {run.Cases} inputs were accepted");
    }

    private static bool Check(string input, string context)
    {
        UserString parsed;
        try
        {
            parsed = UserStringParser.Parse(input);
        }
        catch (UserStringException error)
        {
            Assert.True(error.Message.Length > 0 && !error.Message.Any(char.IsControl), $"{context}: {Seeds.Show(input)} gave message {Seeds.Show(error.Message)}");
            return false;
        }
        catch (Exception error)
        {
            Assert.Fail($"{context}: {Seeds.Show(input)} threw {error}");
            return false;
        }

        var canonical = parsed.Canonical;
        UserString again;
        try
        {
            again = UserStringParser.Parse(canonical);
        }
        catch (UserStringException error)
        {
            Assert.Fail($"{context}: {Seeds.Show(input)} was accepted but its canonical {Seeds.Show(canonical)} was refused: {error.Message}");
            return false;
        }

        Assert.True(canonical == again.Canonical, $"{context}: {Seeds.Show(input)}: canonical {Seeds.Show(canonical)} became {Seeds.Show(again.Canonical)}");
        Assert.True(parsed.CanonicalId == again.CanonicalId, $"{context}: {Seeds.Show(input)}: id {parsed.CanonicalId} became {again.CanonicalId}");
        Assert.True(Describe.Fields(parsed) == Describe.Fields(again), $"{context}: {Seeds.Show(input)}: {Describe.Fields(parsed)} became {Describe.Fields(again)}");
        Assert.True(parsed.CanonicalId.StartsWith(parsed.Username + "-", StringComparison.Ordinal), $"{context}: id {parsed.CanonicalId}");
        return true;
    }

    /// <summary>A username-ish start, then pieces of the grammar in random order: reaches deep into the parser.</summary>
    private static string Pieced(Random random)
    {
        var text = new StringBuilder(random.Next(3) == 0 ? "" : "alice~");
        for (var count = random.Next(0, 12); count > 0; count--)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        return text.ToString();
    }

    private static string RandomChars(Random random)
    {
        var chars = new char[random.Next(0, 300)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = random.Next(4) == 0 ? (char)random.Next(0x10000) : (char)random.Next(0x20, 0x7f);
        }

        return new string(chars);
    }

    private static string RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        return random.Next(2) == 0 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
    }
}
