namespace K8shell.UserStrings.Tests;

/// <summary>Every form of product reference §2.2, with the parsing rules of §2.3 that shape the fields.</summary>
public sealed class FormTests
{
    public static TheoryData<string, string> Forms => new()
    {
        // implicit: no spec, or nothing after the '~'
        { "alice", "alice Implicit Implicit" },
        { "  Alice  ", "alice Implicit Implicit" },
        { "alice~", "alice Implicit Implicit" },
        { "alice~   ", "alice Implicit Implicit" },
        { " alice ~ ", "alice Implicit Implicit" },
        // explicit blueprint: case preserved, percent-decoded, optional user=, workload= with ns=
        { "alice~dev", "alice Blueprint Explicit bp=dev" },
        { "admin~ubuntu", "admin Blueprint Explicit bp=ubuntu" },
        { "alice~Dev-Box", "alice Blueprint Explicit bp=Dev-Box" },
        { "alice~dev%20box", "alice Blueprint Explicit bp=dev box" },
        { "alice~dev+user=root", "alice Blueprint Explicit bp=dev user=root" },
        { "alice~dev+USER=Root", "alice Blueprint Explicit bp=dev user=root" },
        { "alice~dev+user=", "alice Blueprint Explicit bp=dev" },
        { "bob~dev+workload=Deployment%2Fidentity+ns=team-a", "bob Blueprint Explicit bp=dev ns=team-a kind=deployment workload=identity" },
        { "bob~dev+ns=team-a+workload=statefulset/db+user=root", "bob Blueprint Explicit bp=dev ns=team-a kind=statefulset workload=db user=root" },
        { "bob~dev+workload=deployment/api/v2+ns=a", "bob Blueprint Explicit bp=dev ns=a kind=deployment workload=api/v2" },
        { "alice~ dev + user = root ", "alice Blueprint Explicit bp=dev user=root" },
        // named workspace: pod, optional ns and user
        { "alice~pod=ws1", "alice Named Implicit pod=ws1" },
        { "alice~pod=workspace1+ns=team-a", "alice Named Implicit pod=workspace1 ns=team-a" },
        { "alice~pod=WS1+ns=Team-A+user=root", "alice Named Implicit pod=ws1 ns=team-a user=root" },
        { "alice~ns=team-a+pod=ws1", "alice Named Implicit pod=ws1 ns=team-a" },
        // repo: owner defaults to the username, values lower-cased, blueprint derived
        { "carol~repo=myorg%2Fproject1", "carol Repo Custom bp=repo-myorg-project1 owner=myorg repo=project1" },
        { "eve~repo=acme/portal+ref=v1.2", "eve Repo Custom bp=repo-acme-portal owner=acme repo=portal ref=v1.2" },
        { "carol~repo=proj", "carol Repo Custom bp=repo-carol-proj owner=carol repo=proj" },
        { "carol~repo=MyOrg/Proj+ref=Main", "carol Repo Custom bp=repo-myorg-proj owner=myorg repo=proj ref=main" },
        { "carol~ref=main+repo=org/proj", "carol Repo Custom bp=repo-org-proj owner=org repo=proj ref=main" },
        { "carol~repo=org/group/proj", "carol Repo Custom bp=repo-org-group/proj owner=org repo=group/proj" },
        { "carol~repo=org/proj+workload=deployment%2Fapi+ns=team-a+user=root", "carol Repo Custom bp=repo-org-proj owner=org repo=proj ns=team-a kind=deployment workload=api user=root" },
        { "carol~repo=first+repo=org/second", "carol Repo Custom bp=repo-org-second owner=org repo=second" },
        { "carol~repo=org/proj+ref=feature%2Fx", "carol Repo Custom bp=repo-org-proj owner=org repo=proj ref=feature/x" },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Each_form_parses_to_its_fields(string userString, string fields)
    {
        var parsed = UserStringParser.Parse(userString);

        Assert.Equal(fields, Describe.Fields(parsed));
        Assert.Equal(userString, parsed.Raw);
    }

    [Fact]
    public void Try_parse_gives_the_result_or_the_error_without_throwing()
    {
        Assert.True(UserStringParser.TryParse("alice~dev", out var parsed, out var error));
        Assert.Equal("dev", parsed.Blueprint);
        Assert.Null(error);

        Assert.False(UserStringParser.TryParse("alice~ns=x", out parsed, out error));
        Assert.Null(parsed);
        Assert.Equal(UserStringErrorCategory.Invalid, error.Category);

        Assert.False(UserStringParser.TryParse(null, out parsed));
        Assert.True(UserStringParser.TryParse("alice", out parsed));
    }

    [Fact]
    public void Parse_refuses_null_as_a_programming_error() =>
        Assert.Throws<ArgumentNullException>(() => UserStringParser.Parse(null!));

    [Fact]
    public void Equal_requests_are_equal_records_apart_from_raw()
    {
        var a = UserStringParser.Parse("alice~DEV+user=Root");
        var b = UserStringParser.Parse(" ALICE ~DEV+user=root");

        Assert.NotEqual(a, b);
        Assert.Equal(a, UserStringParser.Parse(a.Raw));
        Assert.Equal(Describe.Fields(a), Describe.Fields(b));
    }
}
