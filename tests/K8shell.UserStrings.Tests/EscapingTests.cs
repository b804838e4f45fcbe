namespace K8shell.UserStrings.Tests;

/// <summary>
/// Values are percent-decoded like Go's <c>url.PathUnescape</c> (a path segment: <c>+</c> is a plus, not a
/// space), and the strings we write escape every delimiter so that they parse back to the same value.
/// </summary>
public sealed class EscapingTests
{
    [Theory]
    [InlineData("alice~repo=org%2Fproj", "org", "proj")]
    [InlineData("alice~repo=org/proj", "org", "proj")]
    [InlineData("alice~repo=org%2fproj", "org", "proj")]
    public void A_slash_may_be_raw_or_escaped_in_either_case(string userString, string owner, string name)
    {
        var parsed = UserStringParser.Parse(userString);

        Assert.Equal((owner, name), (parsed.RepoOwner, parsed.RepoName));
    }

    [Theory]
    [InlineData("alice~dev%40home", "dev@home")]
    [InlineData("alice~dev%7Ebeta", "dev~beta")]
    [InlineData("alice~dev%2Bgpu", "dev+gpu")]
    [InlineData("alice~dev%3Dx", "dev=x")]
    [InlineData("alice~dev%25", "dev%")]
    [InlineData("alice~dev%20box", "dev box")]
    [InlineData("alice~caf%C3%A9", "café")]
    [InlineData("alice~café", "café")]
    [InlineData("alice~dev~beta", "dev~beta")]
    public void Reserved_characters_in_a_blueprint_are_percent_encoded(string userString, string blueprint) =>
        Assert.Equal(blueprint, UserStringParser.Parse(userString).Blueprint);

    [Fact]
    public void A_plus_sign_is_never_a_space()
    {
        // url.PathUnescape, not QueryUnescape: "%2B" is a plus and a raw '+' separates parameters.
        Assert.Equal("v1+build", UserStringParser.Parse("eve~repo=acme/portal+ref=v1%2Bbuild").Ref);
        Assert.Equal("a b", UserStringParser.Parse("eve~repo=acme/portal+ref=a%20b").Ref);
    }

    [Fact]
    public void Escapes_are_decoded_after_trimming_so_escaped_space_survives()
    {
        var parsed = UserStringParser.Parse("alice~%20dev%20");

        Assert.Equal(" dev ", parsed.Blueprint);
        Assert.Equal("alice~%20dev%20", parsed.Canonical);
    }

    [Theory]
    [InlineData("dev@home", "alice~dev%40home")]
    [InlineData("dev~beta", "alice~dev%7Ebeta")]
    [InlineData("dev+gpu", "alice~dev%2Bgpu")]
    [InlineData("dev=x", "alice~dev%3Dx")]
    [InlineData("a/b", "alice~a%2Fb")]
    [InlineData("50%", "alice~50%25")]
    [InlineData("a:b", "alice~a%3Ab")]
    [InlineData("Dev_1.2-x", "alice~Dev_1.2-x")]
    [InlineData("café", "alice~café")]
    [InlineData("a\u00a0b", "alice~a%C2%A0b")]
    [InlineData("a\u200bb", "alice~a%E2%80%8Bb")]
    public void Written_strings_escape_the_delimiters_and_anything_invisible(string blueprint, string userString)
    {
        var built = new UserStringBuilder { Username = "alice", Blueprint = blueprint }.Build();

        Assert.Equal(userString, built);
        Assert.Equal(blueprint, UserStringParser.Parse(built).Blueprint);
        Assert.Equal(userString, UserStringParser.Parse(built).Canonical);
    }
}
