using K8shell.SshProxy.Authorization;
using static K8shell.SshProxy.Tests.Authorization.PolicyExamples;

namespace K8shell.SshProxy.Tests.Authorization;

public sealed class PolicyRuleMatchingTests : IDisposable
{
    private readonly PolicyExamples _examples = new();

    public void Dispose() => _examples.Dispose();

    /// <summary>One rule with <paramref name="matchers"/> that denies, after which everything is allowed: whether the rule matched <paramref name="input"/>.</summary>
    private bool Matches(string matchers, PolicyInput input)
    {
        var rules = _examples.Parse($"""
            default: allow
            rules:
              - {matchers.Replace("\n", "\n    ", StringComparison.Ordinal)}
                effect: deny
                reason: matched
            """);
        return rules.Decide(input) is { Allowed: false, Reason: "matched" };
    }

    [Fact]
    public void Action_matches_exactly_by_glob_and_by_list()
    {
        Assert.True(Matches("action: ssh:exec", Input("ssh:exec")));
        Assert.False(Matches("action: ssh:exec", Input("ssh:shell")));
        Assert.True(Matches("action: ssh:*", Input("ssh:direct-tcpip")));
        Assert.False(Matches("action: ssh:*", Input("session:start")));
        Assert.True(Matches("action: ssh:?ftp", Input("ssh:sftp")));
        Assert.True(Matches("action: [ssh:sftp, session:start]", Input("session:start")));
        Assert.False(Matches("action: [ssh:sftp, session:start]", Input("ssh:exec")));
    }

    [Fact]
    public void Subject_matches_by_any_role_username_organization_and_sudo()
    {
        Assert.True(Matches("subject: {roles: [admin, ops]}", Input("ssh:shell", User(roles: ["user", "ops"]))));
        Assert.False(Matches("subject: {roles: [admin, ops]}", Input("ssh:shell", User(roles: ["user"]))));
        Assert.False(Matches("subject: {roles: admin}", Input("ssh:shell", User(roles: []))));
        Assert.True(Matches("subject: {usernames: [bob, alice]}", Input("ssh:shell", User("alice"))));
        Assert.False(Matches("subject: {usernames: [bob, carol]}", Input("ssh:shell", User("alice"))));
        Assert.True(Matches("subject: {organization: contract*}", Input("ssh:shell", User(organization: "contractors"))));
        Assert.False(Matches("subject: {organization: contract*}", Input("ssh:shell", User(organization: "acme"))));
        Assert.True(Matches("subject: {sudo: true}", Input("ssh:shell", User(sudo: true))));
        Assert.False(Matches("subject: {sudo: true}", Input("ssh:shell", User(sudo: false))));
    }

    [Fact]
    public void Resource_matches_by_owner_the_subject_as_owner_and_blueprint()
    {
        Assert.True(Matches("resource: {owner: alice}", Input("ssh:shell", owner: "alice")));
        Assert.False(Matches("resource: {owner: alice}", Input("ssh:shell", owner: "bob")));
        Assert.True(Matches("resource: {owner: $subject}", Input("ssh:shell", User("bob"), owner: "bob")));
        Assert.False(Matches("resource: {owner: $subject}", Input("ssh:shell", User("bob"), owner: "alice")));
        Assert.True(Matches("resource: {blueprint: prod-*}", Input("ssh:shell", blueprint: "prod-eu")));
        Assert.False(Matches("resource: {blueprint: prod-*}", Input("ssh:shell", blueprint: "dev")));
        Assert.False(Matches("resource: {blueprint: prod-*}", Input("ssh:shell", blueprint: null)));
    }

    [Fact]
    public void Context_matches_exact_values_globs_and_a_missing_key_as_empty()
    {
        Assert.True(Matches("context: {as_user: root}", Input("ssh:shell", context: ("as_user", "root"))));
        Assert.False(Matches("context: {as_user: root}", Input("ssh:shell", context: ("as_user", "rooted"))));
        Assert.False(Matches("context: {as_user: root}", Input("ssh:shell")));
        Assert.True(Matches("context: {host: 10.*, port: [\"22\", \"5432\"]}", Input("ssh:direct-tcpip", context: [("host", "10.0.3.7"), ("port", "5432")])));
        Assert.False(Matches("context: {host: 10.*, port: [\"22\", \"5432\"]}", Input("ssh:direct-tcpip", context: [("host", "10.0.3.7"), ("port", "80")])));
        Assert.False(Matches("context: {host: 10.*}", Input("ssh:direct-tcpip", context: ("host", "110.0.0.1"))));
        Assert.True(Matches("context: {pty: \"true\"}", Input("ssh:shell", context: ("pty", "true"))));
        Assert.False(Matches("context: {pty: \"true\"}", Input("ssh:shell")));
        Assert.True(Matches("context: {as_user: $subject}", Input("ssh:shell", User("alice"), context: ("as_user", "alice"))));
    }

    [Fact]
    public void Every_matcher_of_a_rule_must_hold()
    {
        const string Rule = "action: ssh:exec\nsubject: {roles: user}\ncontext: {as_user: root}";
        Assert.True(Matches(Rule, Input("ssh:exec", context: ("as_user", "root"))));
        Assert.False(Matches(Rule, Input("ssh:shell", context: ("as_user", "root"))));
        Assert.False(Matches(Rule, Input("ssh:exec", User(roles: ["admin"]), context: ("as_user", "root"))));
        Assert.False(Matches(Rule, Input("ssh:exec")));
    }

    [Fact]
    public void The_first_matching_rule_decides_with_its_reason_and_obligations()
    {
        var rules = _examples.Parse("""
            rules:
              - name: admins unrecorded
                subject: {roles: admin}
                effect: allow
                obligations: {record: none}
              - action: ssh:agent-forward
                effect: deny
                reason: agent forwarding is off
              - action: ssh:agent-forward
                effect: allow
              - name: users recorded
                action: "*"
                effect: allow
                obligations: {record: "shell,exec", note: kept}
            """);

        var admin = rules.Decide(Input("ssh:agent-forward", User(roles: ["admin"])));
        var user = rules.Decide(Input("ssh:agent-forward"));
        var session = rules.Decide(Input("session:start", context: ("session_type", "shell")));

        Assert.True(admin.Allowed);
        Assert.Equal("none", admin.Obligations[PolicyDecision.RecordObligation]);
        Assert.Equal((false, "agent forwarding is off"), (user.Allowed, user.Reason));
        Assert.True(session.Allowed);
        Assert.Equal(new Dictionary<string, string> { ["record"] = "shell,exec", ["note"] = "kept" }, session.Obligations);
    }

    [Fact]
    public void Without_a_matching_rule_the_default_decides_deny_unless_the_file_says_allow()
    {
        const string Rules = "rules:\n  - action: ssh:sftp\n    effect: allow\n";

        var denied = _examples.Parse(Rules).Decide(Input("ssh:exec"));
        var allowed = _examples.Parse("default: allow\n" + Rules).Decide(Input("ssh:exec"));
        var empty = _examples.Parse("").Decide(Input("ssh:shell"));

        Assert.Equal((false, "no policy rule allows ssh:exec"), (denied.Allowed, denied.Reason));
        Assert.True(allowed.Allowed);
        Assert.False(empty.Allowed);
    }

    [Fact]
    public void A_deny_rule_without_a_reason_names_itself()
    {
        var rules = _examples.Parse("rules:\n  - action: ssh:sftp\n    effect: deny\n  - name: no exec\n    action: ssh:exec\n    effect: deny\n");

        Assert.Equal("denied by policy rule at line 2", rules.Decide(Input("ssh:sftp")).Reason);
        Assert.Equal("denied by policy rule 'no exec' (line 4)", rules.Decide(Input("ssh:exec")).Reason);
    }

    [Fact]
    public void The_built_in_policy_allows_everything_but_root_without_sudo()
    {
        var rootWithoutSudo = PolicyRuleSet.BuiltIn.Decide(Input("ssh:exec", User(sudo: false), context: [("as_user", "root"), ("command", "id")]));

        Assert.Equal((false, "root needs sudo"), (rootWithoutSudo.Allowed, rootWithoutSudo.Reason));
        Assert.True(PolicyRuleSet.BuiltIn.Decide(Input("ssh:shell", User(sudo: true), context: ("as_user", "root"))).Allowed);
        Assert.True(PolicyRuleSet.BuiltIn.Decide(Input("ssh:shell", User(sudo: false), context: ("as_user", "alice"))).Allowed);
        Assert.True(PolicyRuleSet.BuiltIn.Decide(Input("ssh:agent-forward", User(sudo: false))).Allowed);
        Assert.True(PolicyRuleSet.BuiltIn.Decide(Input("session:start", User(sudo: false), context: ("session_type", "exec"))).Allowed);
    }
}
