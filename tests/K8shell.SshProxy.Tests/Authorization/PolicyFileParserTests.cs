using K8shell.SshProxy.Authorization;

namespace K8shell.SshProxy.Tests.Authorization;

public sealed class PolicyFileParserTests : IDisposable
{
    private readonly PolicyExamples _examples = new();

    public void Dispose() => _examples.Dispose();

    [Theory]
    [InlineData("rules:\n  - action: ssh:exec\n    efect: allow\n", ":3: rules[1].efect: unknown key")]
    [InlineData("rules:\n  - action: ssh:exec\n    subject: {role: admin}\n    effect: allow\n", ":3: rules[1].subject.role: unknown key")]
    [InlineData("rules:\n  - action: ssh:exec\n    resource: {owners: x}\n    effect: allow\n", ":3: rules[1].resource.owners: unknown key")]
    [InlineData("defaults: allow\n", ":1: file.defaults: unknown key")]
    [InlineData("default: permit\n", ":1: default: \"permit\" is not an effect (allow or deny)")]
    [InlineData("rules:\n  - action: ssh:exec\n", ":2: rules[1].effect: required: allow or deny")]
    [InlineData("rules:\n  - action: ssh:exec\n    effect: allow\n  - action: ssh:shell\n    effect: maybe\n", ":5: rules[2].effect: \"maybe\" is not an effect")]
    [InlineData("rules:\n  - action: {glob: ssh}\n    effect: allow\n", ":2: rules[1].action: expected a value or a list of values")]
    [InlineData("rules:\n  - subject: {sudo: sometimes}\n    effect: allow\n", ":2: rules[1].subject.sudo: expected true or false")]
    [InlineData("rules:\n  - effect: allow\n    obligations:\n      record: shell,tty\n", ":4: rules[1].obligations.record: \"tty\" is not a channel kind")]
    [InlineData("rules:\n  - effect: deny\n    obligations: {record: shell}\n", ":3: rules[1].obligations: only an allow rule has obligations")]
    [InlineData("rules:\n  - effect: allow\n    reason: [a, b]\n", ":3: rules[1].reason: expected a single value")]
    [InlineData("rules: allow\n", ":1: rules: expected a list of rules")]
    [InlineData("rules:\n  - effect: allow\n   action: x\n", ":3: not valid YAML")]
    // YamlDotNet threw InvalidOperationException and ArgumentException for these (found by PolicyFileFuzzTests).
    [InlineData("rules:\n  - effect: allow\n    action: [a-[b, c]\n    effect: deny\n", ":3: not valid YAML near this line")]
    [InlineData("    : context: {as_user: root}\ndefault: allow\n", ":2: not valid YAML near this line")]
    public void A_mistake_names_the_file_line_and_field(string yaml, string expected)
    {
        var path = _examples.Write(yaml);

        var refused = Assert.Throws<FormatException>(() => PolicyFileParser.Parse(path));

        Assert.StartsWith(path, refused.Message);
        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public void The_commented_sample_shipped_with_the_proxy_is_a_valid_rules_file()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "Authorization", "policy.sample.yaml");

        var rules = PolicyFileParser.Parse(sample);

        Assert.Equal(PolicyEffect.Deny, rules.Default);
        Assert.Contains(rules.Rules, rule => rule.Name == "root needs sudo");
        Assert.False(rules.Decide(PolicyExamples.Input("ssh:shell", context: ("as_user", "root"))).Allowed);
        Assert.True(rules.Decide(PolicyExamples.Input("ssh:exec", context: ("command", "make"))).Allowed);
    }
}
