namespace K8shell.UserStrings.Tests;

/// <summary>The client side (product reference §2.5): user strings built from fields, validated like the parser.</summary>
public sealed class BuilderTests
{
    public static TheoryData<string, string> Built => new()
    {
        { "Alice", "alice" },
        { "alice|bp=dev", "alice~dev" },
        { "alice|bp=Dev Box|user=Root", "alice~Dev%20Box+user=root" },
        { "bob|bp=dev|kind=Deployment|workload=identity|ns=team-a", "bob~dev+workload=deployment%2Fidentity+ns=team-a" },
        { "alice|pod=ws1|ns=team-a|user=root", "alice~pod=ws1+ns=team-a+user=root" },
        { "carol|owner=MyOrg|repo=Project1", "carol~repo=myorg%2Fproject1" },
        { "carol|repo=project1", "carol~repo=carol%2Fproject1" },
        { "eve|owner=acme|repo=portal|ref=v1.2", "eve~repo=acme%2Fportal+ref=v1.2" },
        { "eve|owner=acme|repo=portal|ref=v1+2|kind=deployment|workload=api|ns=a|user=root", "eve~repo=acme%2Fportal+ref=v1%2B2+workload=deployment%2Fapi+ns=a+user=root" },
        { "  alice  |bp=  dev  |user=   ", "alice~dev" },
    };

    [Theory]
    [MemberData(nameof(Built))]
    public void Fields_build_the_string_the_parser_reads_back(string fields, string userString)
    {
        var builder = Fields(fields);

        Assert.Equal(userString, builder.Build());
        Assert.Equal(UserStringParser.Parse(userString), builder.ToUserString());
        Assert.Equal(Describe.Fields(UserStringParser.Parse(userString)), Describe.Fields(UserStringParser.Parse(builder.BuildBase64())));
        Assert.StartsWith("b64-", builder.BuildBase64());
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "|bp=dev", "invalid user string: username is required" },
        { "a~b", "invalid user string: username cannot contain '~'" },
        { "b64-x", "invalid user string: username cannot start with b64- or base64- (it would read as a base64 wrapper)" },
        { "alice|bp=dev|kind=deployment|ns=a", "invalid user string: workload needs both a kind and a name" },
        { "alice|bp=dev|workload=api|ns=a", "invalid user string: workload needs both a kind and a name" },
        { "alice|bp=dev|repo=proj", "invalid user string: a blueprint cannot be combined with repo fields" },
        { "alice|repo=proj|pod=ws1", "invalid user string: pod cannot be combined with repo" },
        { "alice|owner=org", "invalid user string: repo name is required with repo owner or ref" },
        { "alice|ref=main", "invalid user string: repo name is required with repo owner or ref" },
        { "alice|owner=a/b|repo=c", "invalid user string: repo owner cannot contain '/'" },
        { "alice|bp=dev|pod=ws1", "invalid user string: pod cannot be combined with a blueprint" },
        { "alice|kind=deployment|workload=api|ns=a", "invalid user string: workload needs a repo or a blueprint" },
        { "alice|pod=ws1|kind=deployment|workload=api|ns=a", "invalid user string: workload needs a repo or a blueprint" },
        { "alice|bp=dev|kind=a/b|workload=api|ns=a", "invalid user string: workload kind cannot contain '/'" },
        { "alice|ns=a", "invalid user string: ns needs a workload or a pod" },
        { "alice|bp=dev|ns=a", "invalid user string: ns needs a workload or a pod" },
        { "alice|user=root", "invalid user string: user= needs a blueprint, repo or pod: the implicit form cannot carry it" },
        { "alice|bp=dev|kind=deployment|workload=api", "invalid user string: ns is required with workload" },
        { "alice|bp=" + new string('x', 123), "user string too long: 129 characters, at most 128 are allowed" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Fields_that_make_no_valid_string_are_refused_with_the_reason(string fields, string message)
    {
        var builder = Fields(fields);

        Assert.Equal(message, Assert.Throws<UserStringException>(builder.Build).Message);
        Assert.Equal(message, Assert.Throws<UserStringException>(builder.BuildBase64).Message);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("alice~Dev+user=root")]
    [InlineData("bob~dev+workload=deployment%2Fidentity+ns=team-a")]
    [InlineData("alice~pod=ws1+ns=team-a")]
    [InlineData("eve~repo=acme/portal+ref=v1.2+workload=deployment/api+ns=a+user=root")]
    public void A_parsed_string_rebuilds_to_the_same_request(string userString)
    {
        var parsed = UserStringParser.Parse(userString);

        Assert.Equal(Describe.Fields(parsed), Describe.Fields(parsed.ToBuilder().ToUserString()));
    }

    [Fact]
    public void A_resolved_implicit_string_rebuilds_as_its_blueprint() =>
        Assert.Equal("alice~dev", UserStringParser.Parse("alice").WithBlueprint("dev").ToBuilder().Build());

    /// <summary>"username|name=value|…" with the names Describe uses, so rows read like the expectations.</summary>
    private static UserStringBuilder Fields(string fields)
    {
        var parts = fields.Split('|');
        var values = parts[1..].Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        return new UserStringBuilder
        {
            Username = parts[0],
            Blueprint = values.GetValueOrDefault("bp"),
            RepoOwner = values.GetValueOrDefault("owner"),
            RepoName = values.GetValueOrDefault("repo"),
            Ref = values.GetValueOrDefault("ref"),
            Pod = values.GetValueOrDefault("pod"),
            Namespace = values.GetValueOrDefault("ns"),
            WorkloadKind = values.GetValueOrDefault("kind"),
            WorkloadName = values.GetValueOrDefault("workload"),
            AsUser = values.GetValueOrDefault("user"),
        };
    }
}
