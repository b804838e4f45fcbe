using System.Diagnostics.Metrics;
using K8shell.SshProxy.Authorization;
using K8shell.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Tests.Authorization;

public sealed class PolicyEngineTests : IDisposable
{
    private readonly PolicyExamples _examples = new();

    public void Dispose() => _examples.Dispose();

    private static ConnectionAuthorizer Alice(PolicyHost host, bool sudo, Func<(string, string)?>? workspace = null) =>
        ConnectionAuthorizer.ForUser(host.Engine, PolicySubjectTests.UserToken("alice", new[] { "user" }, sudo), "alice", workspace ?? (() => ("alice-59936c3", "dev")));

    [Fact]
    public async Task Without_a_policy_a_connection_may_do_anything_but_act_as_root_without_sudo_and_denials_are_counted_by_action()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await PolicyHost.StartAsync([], ct);
        var denials = new List<(long Count, string Action)>();
        using var listener = new MeterListener();
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, listening) =>
        {
            if (instrument.Name == PolicyMetrics.DenialsName && instrument.Meter.Scope == meters)
            {
                listening.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, count, tags, _) => denials.Add((count, (string)tags.ToArray().Single(tag => tag.Key == "action").Value!)));
        listener.Start();

        var root = await Alice(host, sudo: false).AuthorizeAsync("ssh:shell", new Dictionary<string, string> { ["as_user"] = "root", ["pty"] = "true" }, ct);
        var rootWithSudo = await Alice(host, sudo: true).AuthorizeAsync("ssh:shell", new Dictionary<string, string> { ["as_user"] = "root" }, ct);
        var own = await Alice(host, sudo: false).AuthorizeAsync("ssh:exec", new Dictionary<string, string> { ["command"] = "id", ["as_user"] = "" }, ct);

        Assert.Equal((false, "root needs sudo"), (root.Allowed, root.Reason));
        Assert.True(rootWithSudo.Allowed);
        Assert.True(own.Allowed);
        Assert.Equal([(1L, "ssh:shell")], denials);
    }

    [Fact]
    public async Task A_connection_sees_its_workspace_once_known_and_a_rules_file_decides_on_owner_and_blueprint()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = _examples.Write("""
            rules:
              - resource: {owner: $subject, blueprint: dev}
                effect: allow
              - effect: deny
                reason: not your dev workspace yet
            """);
        await using var host = await PolicyHost.StartAsync(new() { ["SshProxy:Policy:File"] = path }, ct);
        (string, string)? workspace = null;
        var alice = Alice(host, sudo: false, () => workspace);

        var before = await alice.AuthorizeAsync("ssh:sftp", new Dictionary<string, string>(), ct);
        workspace = ("alice-59936c3", "dev");
        var after = await alice.AuthorizeAsync("ssh:sftp", new Dictionary<string, string>(), ct);

        Assert.Equal((false, "not your dev workspace yet"), (before.Allowed, before.Reason));
        Assert.True(after.Allowed);
    }

    [Fact]
    public async Task A_changed_rules_file_applies_a_broken_one_keeps_the_last_good_rules_and_says_where_it_is_wrong()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = _examples.Write("rules:\n  - action: ssh:exec\n    effect: allow\n");
        await using var host = await PolicyHost.StartAsync(new() { ["SshProxy:Policy:File"] = path }, ct);
        var alice = Alice(host, sudo: false);
        async Task<bool> Allowed(string action) => (await alice.AuthorizeAsync(action, new Dictionary<string, string>(), ct)).Allowed;
        Assert.True(await Allowed("ssh:exec"));
        Assert.False(await Allowed("ssh:sftp"));

        _examples.Write("rules:\n  - action: [ssh:exec, ssh:sftp]\n    effect: allow\n");
        Assert.True(await Eventually.WaitAsync(() => Allowed("ssh:sftp"), TimeSpan.FromSeconds(30), ct), "the changed file was not applied");

        _examples.Write("rules:\n  - action: ssh:exec\n    effect: alow\n");
        Assert.True(await Eventually.WaitAsync(() => host.Logged.Contains($"{path}:3: rules[1].effect: \"alow\" is not an effect"), TimeSpan.FromSeconds(30), ct),
            "the refused reload was not logged with its line and field");
        Assert.True(await Allowed("ssh:sftp"));
        Assert.True(await Allowed("ssh:exec"));

        _examples.Write("rules:\n  - action: ssh:exec\n    effect: deny\n    reason: fixed\n");
        Assert.True(await Eventually.WaitAsync(async () => !await Allowed("ssh:exec"), TimeSpan.FromSeconds(30), ct), "the fixed file was not applied");
        Assert.False(await Allowed("ssh:sftp"));
    }

    [Theory]
    [InlineData("rules:\n  - action: ssh:exec\n    colour: red\n    effect: allow\n", null, "SshProxy:Policy:File: ", ":3: rules[1].colour: unknown key")]
    [InlineData(null, "opa:8181", "SshProxy:Policy:Evaluator:Url: 'opa:8181' is not an http or https address", null)]
    [InlineData("rules: []\n", "http://127.0.0.1:8181", "SshProxy:Policy:File and SshProxy:Policy:Evaluator:Url are both set", null)]
    public async Task A_policy_that_cannot_be_used_stops_the_start_naming_the_key(string? rules, string? url, string expected, string? alsoExpected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SshProxy:Policy:File"] = rules is null ? null : _examples.Write(rules),
            ["SshProxy:Policy:Evaluator:Url"] = url,
        };

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => PolicyHost.StartAsync(settings, TestContext.Current.CancellationToken));

        Assert.Contains(expected, refused.Message);
        Assert.Contains(alsoExpected ?? expected, refused.Message);
    }

    [Fact]
    public async Task A_missing_rules_file_stops_the_start_naming_the_key()
    {
        var settings = new Dictionary<string, string?> { ["SshProxy:Policy:File"] = "/nonexistent/policy.yaml", ["SshProxy:Policy:Evaluator:Timeout"] = "-00:00:01" };

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => PolicyHost.StartAsync(settings, TestContext.Current.CancellationToken));

        Assert.Contains("SshProxy:Policy:File: ", refused.Message);
        Assert.Contains("/nonexistent/policy.yaml", refused.Message);
        Assert.Contains("SshProxy:Policy:Evaluator:Timeout: '-00:00:01' must be positive", refused.Message);
    }
}
