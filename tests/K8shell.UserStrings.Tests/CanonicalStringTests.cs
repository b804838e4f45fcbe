namespace K8shell.UserStrings.Tests;

/// <summary>
/// The canonical user string the proxy sends to the Provisioner (product reference §2.4): one spelling
/// per request, which parses back to itself.
/// </summary>
public sealed class CanonicalStringTests
{
    public static TheoryData<string, string> Canonicals => new()
    {
        // implicit: just the username
        { "Alice", "alice" },
        { "alice~  ", "alice" },
        // blueprint form: bp[+workload+ns][+user]
        { "alice~Dev", "alice~Dev" },
        { "alice~dev+USER=Root", "alice~dev+user=root" },
        { "bob~dev+ns=team-a+user=root+workload=Deployment/identity", "bob~dev+workload=deployment%2Fidentity+ns=team-a+user=root" },
        // named form: pod[+ns][+user]
        { "alice~user=root+ns=team-a+pod=WS1", "alice~pod=ws1+ns=team-a+user=root" },
        { "alice~pod=ws1", "alice~pod=ws1" },
        // repo form: every parameter sorted by key, values escaped ('/' becomes %2F)
        { "carol~repo=myorg/project1", "carol~repo=myorg%2Fproject1" },
        { "carol~repo=project1", "carol~repo=carol%2Fproject1" },
        { "eve~repo=acme/portal+ref=v1.2", "eve~ref=v1.2+repo=acme%2Fportal" },
        { "eve~user=root+workload=deployment/api+ref=main+ns=team-a+repo=acme/portal", "eve~ns=team-a+ref=main+repo=acme%2Fportal+user=root+workload=deployment%2Fapi" },
        { "eve~repo=acme/portal+ref=feature/x%2By", "eve~ref=feature%2Fx%2By+repo=acme%2Fportal" },
        // the wrapper is gone once decoded
        { "b64-YWxpY2V-ZGV2", "alice~dev" },
    };

    [Theory]
    [MemberData(nameof(Canonicals))]
    public void Each_form_has_one_canonical_spelling_that_parses_back_to_itself(string userString, string canonical)
    {
        var parsed = UserStringParser.Parse(userString);
        var again = UserStringParser.Parse(parsed.Canonical);

        Assert.Equal(canonical, parsed.Canonical);
        Assert.Equal(canonical, again.Canonical);
        Assert.Equal(Describe.Fields(parsed), Describe.Fields(again));
        Assert.Equal(parsed.CanonicalId, again.CanonicalId);
    }

    [Fact]
    public void The_implicit_form_has_no_room_for_a_user_override() =>
        Assert.Throws<UserStringException>(() => UserStringParser.Parse("alice~user=root"));
}
