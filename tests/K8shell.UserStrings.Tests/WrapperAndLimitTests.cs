using System.Diagnostics;
using System.Text;

namespace K8shell.UserStrings.Tests;

/// <summary>
/// The <c>b64-</c>/<c>base64-</c> wrapper (for clients that mangle <c>~ % /</c>) and the 128-character
/// limit, which applies to the decoded text and is enforced before anything large is decoded.
/// </summary>
public sealed class WrapperAndLimitTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Theory]
    [InlineData("b64-")]
    [InlineData("B64-")]
    [InlineData("base64-")]
    [InlineData("BaSe64-")]
    public void Either_prefix_in_any_case_wraps_the_same_string(string prefix)
    {
        const string inner = "carol~repo=myorg/project1+ref=v1.2";
        var parsed = UserStringParser.Parse(prefix + B64(inner));

        Assert.Equal("carol Repo Custom bp=repo-myorg-project1 owner=myorg repo=project1 ref=v1.2", Describe.Fields(parsed));
        Assert.Equal(prefix + B64(inner), parsed.Raw);
    }

    [Fact]
    public void Base64url_needs_no_percent_escapes_for_vs_code()
    {
        // '~' and '?' make '+' and '/' in standard base64; base64url writes '-' and '_'.
        const string inner = "alice~dev?>>+user=root";
        var wrapped = UserStringBuilder.Wrap(inner);

        Assert.Matches("^b64-[A-Za-z0-9_-]+$", wrapped);
        Assert.Contains('-', wrapped[4..]);
        Assert.Equal(B64(inner), wrapped[4..]);
        Assert.Equal("dev?>>", UserStringParser.Parse(wrapped).Blueprint);
    }

    [Fact]
    public void Wrappers_nest_and_are_decoded_again()
    {
        var twice = "base64-" + B64("b64-" + B64("alice~dev"));
        var five = "alice~dev";
        for (var i = 0; i < 5; i++)
        {
            five = UserStringBuilder.Wrap(five);
        }

        Assert.Equal("alice-59936c3", UserStringParser.Parse(twice).CanonicalId);
        Assert.Equal("alice-59936c3", UserStringParser.Parse(five).CanonicalId);
    }

    [Fact]
    public void Every_payload_is_bound_so_a_full_length_string_nests_five_times_but_not_six()
    {
        var wrapped = "alice~" + new string('d', 122);
        for (var i = 0; i < 5; i++)
        {
            wrapped = UserStringBuilder.Wrap(wrapped);
        }

        Assert.Equal("alice-", UserStringParser.Parse(wrapped).CanonicalId[..6]);
        var error = Assert.Throws<UserStringException>(() => UserStringParser.Parse(UserStringBuilder.Wrap(wrapped)));
        Assert.Equal(UserStringErrorCategory.TooLong, error.Category);
    }

    [Fact]
    public void Whitespace_around_the_wrapper_and_the_decoded_text_is_trimmed_and_newlines_in_the_payload_ignored()
    {
        var payload = B64("  alice~dev \n");

        Assert.Equal("alice~dev", UserStringParser.Parse($"  b64-{payload}  ").Canonical);
        Assert.Equal("alice~dev", UserStringParser.Parse($"b64-{payload[..4]}\r\n{payload[4..]}").Canonical);
    }

    [Fact]
    public void Unused_trailing_bits_are_tolerated_as_go_does()
    {
        // "YQ" and "YR" both decode to "a": Go's non-strict decoder ignores the last four bits.
        Assert.Equal("a", UserStringParser.Parse("b64-YR").Username);
    }

    [Fact]
    public void The_wrapper_prefix_is_matched_in_ascii_only()
    {
        // 'ſ' (long s) upper-cases to 'S', but Go lower-cases and compares; it is not a wrapper.
        Assert.Equal("baſe64-abc", UserStringParser.Parse("baſe64-abc").Username);
    }

    public static TheoryData<string, int> AtTheLimit => new()
    {
        { new string('a', 128), 128 },
        { "alice~" + new string('d', 122), 128 },
        { "alice~" + string.Concat(Enumerable.Repeat("é", 122)), 128 },
        { "alice~" + string.Concat(Enumerable.Repeat("日", 122)), 128 },
        { "alice~" + string.Concat(Enumerable.Repeat("😀", 122)), 128 },
    };

    [Theory]
    [MemberData(nameof(AtTheLimit))]
    public void Exactly_128_characters_pass_and_129_do_not_whatever_their_utf8_width(string userString, int runes)
    {
        Assert.Equal(runes, userString.EnumerateRunes().Count());
        var lastRune = userString.EnumerateRunes().Last().ToString();

        UserStringParser.Parse(userString);
        UserStringParser.Parse(UserStringBuilder.Wrap(userString));
        var tooLong = Assert.Throws<UserStringException>(() => UserStringParser.Parse(userString + lastRune));
        var tooLongWrapped = Assert.Throws<UserStringException>(() => UserStringParser.Parse(UserStringBuilder.Wrap(userString + lastRune)));

        Assert.Equal(UserStringErrorCategory.TooLong, tooLong.Category);
        Assert.Equal(UserStringErrorCategory.TooLong, tooLongWrapped.Category);
    }

    [Fact]
    public void Surrounding_whitespace_does_not_count_toward_the_limit() =>
        UserStringParser.Parse("   " + new string('a', 128) + "\t\n");

    [Fact]
    public void The_limit_is_on_the_decoded_text_so_a_wrapper_may_be_longer()
    {
        var wrapped = UserStringBuilder.Wrap("alice~" + string.Concat(Enumerable.Repeat("😀", 122)));

        Assert.True(wrapped.Length > 600);
        Assert.Equal(128, UserStringParser.Parse(wrapped).Username.Length + 1 + 122);
    }

    [Fact]
    public void The_longest_possible_payload_decodes_and_one_more_character_is_too_long_undecoded()
    {
        // 128 four-byte characters are 512 bytes, 683 base64 characters: the most a valid wrapper holds.
        var longest = UserStringBuilder.Wrap(string.Concat(Enumerable.Repeat("😀", 128)));
        Assert.Equal(4 + 683, longest.Length);
        UserStringParser.Parse(longest);

        var error = Assert.Throws<UserStringException>(() => UserStringParser.Parse(longest + "A"));
        Assert.Equal("user string too long: the base64 text decodes to more than 128 characters", error.Message);
        // Not decoded: an illegal character past the bound is not what is reported.
        Assert.Equal(UserStringErrorCategory.TooLong, Assert.Throws<UserStringException>(() => UserStringParser.Parse(longest + "!")).Category);
    }

    // Built on demand, not as theory data: a megabyte per case would bloat test discovery.
    private static readonly Func<string>[] Megabyte =
    [
        () => new string('a', 1 << 20),
        () => "alice~" + new string('+', 1 << 20),
        () => "b64-" + new string('A', 1 << 20),
        () => "base64-" + new string('!', 1 << 20),
        () => "b64-" + B64("b64-" + new string('A', 1 << 19)),
        () => " " + new string('a', 1 << 20) + " ",
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void A_megabyte_fails_fast_as_too_long(int index)
    {
        var hostile = Megabyte[index]();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            var error = Assert.Throws<UserStringException>(() => UserStringParser.Parse(hostile));
            Assert.Equal(UserStringErrorCategory.TooLong, error.Category);
        }

        // A thousand refusals of a megabyte each: nothing proportional to the input may happen.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"1000 parses took {clock.Elapsed}");
    }
}
