namespace K8shell.UserStrings.Tests;

/// <summary>
/// The canonical ID names pods and Helm releases that already exist in clusters, so it must match the
/// Go implementation bit for bit: SPEC §1's five vectors, from the key and from real user strings.
/// </summary>
public sealed class CanonicalIdTests
{
    public static TheoryData<string, string, string> SpecVectors => new()
    {
        // user string, canonical key, canonical ID (SPEC §1)
        { "alice", "u=alice", "alice-a975fae" },
        { "alice~dev", "u=alice|bp=dev", "alice-59936c3" },
        { "admin~ubuntu", "u=admin|bp=ubuntu", "admin-60237b1" },
        { "carol~repo=myorg%2Fproject1", "u=carol|r=myorg/project1|bp=repo-myorg-project1", "carol-09c5ef1" },
        { "eve~repo=acme/portal+ref=v1.2", "u=eve|r=acme/portal|ref=v1.2|bp=repo-acme-portal", "eve-5ec1ac8" },
    };

    // Further vectors, computed independently with `printf '%s' KEY | sha256sum | cut -c1-7`.
    public static TheoryData<string, string, string> MoreVectors => new()
    {
        { "bob~dev+workload=Deployment%2Fidentity+ns=team-a", "u=bob|bp=dev|workload=deployment/identity", "bob-04bc53f" },
        { "ALICE~Dev", "u=alice|bp=Dev", "alice-8560552" },
        { "alice~repo=proj", "u=alice|r=alice/proj|bp=repo-alice-proj", "alice-574ec86" },
        { "carol~repo=myorg/project1+workload=deployment/api+ns=team-a+user=root", "u=carol|r=myorg/project1|bp=repo-myorg-project1|workload=deployment/api", "carol-6ca8342" },
        { "Jürgen~D%C3%A9v", "u=jürgen|bp=Dév", "jürgen-b2fb29d" },
    };

    [Theory]
    [MemberData(nameof(SpecVectors))]
    [MemberData(nameof(MoreVectors))]
    public void The_id_of_a_key_is_the_username_and_seven_hex_digits_of_its_sha256(string _, string key, string id) =>
        Assert.Equal(id, CanonicalForm.Id(id[..id.LastIndexOf('-')], key));

    [Theory]
    [MemberData(nameof(SpecVectors))]
    [MemberData(nameof(MoreVectors))]
    public void A_parsed_user_string_has_the_key_and_id_of_the_vector(string userString, string key, string id)
    {
        var parsed = UserStringParser.Parse(userString);

        Assert.Equal(key, parsed.CanonicalKey);
        Assert.Equal(id, parsed.CanonicalId);
    }

    [Fact]
    public void The_namespace_and_the_user_override_never_enter_the_key()
    {
        // The documentation lists "|ns=…" in the key; the Go code never emits it, and the code named the pods.
        var plain = UserStringParser.Parse("bob~dev+workload=deployment%2Fidentity+ns=team-a");
        var other = UserStringParser.Parse("bob~dev+workload=deployment%2Fidentity+ns=team-b+user=root");

        Assert.Equal(plain.CanonicalKey, other.CanonicalKey);
        Assert.DoesNotContain("ns=", plain.CanonicalKey);
        Assert.Equal(UserStringParser.Parse("alice~dev").CanonicalId, UserStringParser.Parse("alice~dev+user=root").CanonicalId);
        Assert.Equal("u=alice", UserStringParser.Parse("alice~pod=ws1+ns=team-a").CanonicalKey);
    }

    [Fact]
    public void An_implicit_string_resolved_to_a_blueprint_takes_that_blueprints_id()
    {
        var implicitString = UserStringParser.Parse("alice");
        var resolved = implicitString.WithBlueprint("dev");

        Assert.Equal("alice-a975fae", implicitString.CanonicalId);
        Assert.Equal("alice-59936c3", resolved.CanonicalId);
        Assert.Equal("alice~dev", resolved.Canonical);
        Assert.Equal(UserStringForm.Blueprint, resolved.Form);
        Assert.Equal(BlueprintKind.Implicit, resolved.BlueprintKind);
        Assert.Equal("alice-59936c3", resolved.WorkspaceName);
        Assert.Equal("alice", resolved.Raw);
    }

    [Fact]
    public void Only_an_implicit_string_can_be_resolved()
    {
        Assert.Throws<InvalidOperationException>(() => UserStringParser.Parse("alice~dev").WithBlueprint("other"));
        Assert.Throws<InvalidOperationException>(() => UserStringParser.Parse("alice").WithBlueprint("dev").WithBlueprint("other"));
        Assert.Throws<ArgumentException>(() => UserStringParser.Parse("alice").WithBlueprint(" "));
        var tooLong = Assert.Throws<UserStringException>(() => UserStringParser.Parse("alice").WithBlueprint(new string('b', 128)));
        Assert.Equal(UserStringErrorCategory.TooLong, tooLong.Category);
    }

    [Theory]
    [InlineData("alice", "alice-a975fae")]
    [InlineData("alice~dev", "alice-59936c3")]
    [InlineData("alice~pod=ws1+ns=team-a", "ws1")]
    [InlineData("bob~dev+workload=deployment%2Fidentity+ns=team-a", "")]
    [InlineData("carol~repo=myorg%2Fproject1+workload=deployment%2Fapi+ns=team-a", "")]
    [InlineData("carol~repo=myorg%2Fproject1", "carol-09c5ef1")]
    public void The_workspace_name_is_the_pod_nothing_for_injection_else_the_id(string userString, string workspaceName) =>
        Assert.Equal(workspaceName, UserStringParser.Parse(userString).WorkspaceName);
}
