using System.Text.Json.Nodes;
using K8shell.SshProxy.Authorization;

namespace K8shell.SshProxy.Tests.Authorization;

public sealed class ExternalPolicyEvaluatorTests : IAsyncLifetime
{
    private LocalPolicyEvaluator _evaluator = null!;
    private PolicyHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _evaluator = await LocalPolicyEvaluator.StartAsync(ct);
        _host = await PolicyHost.StartAsync(new()
        {
            ["SshProxy:Policy:Evaluator:Url"] = _evaluator.Address + "/",
            ["SshProxy:Policy:Evaluator:Timeout"] = "00:00:00.5",
        }, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _evaluator.DisposeAsync();
    }

    private ValueTask<PolicyDecision> AuthorizeAsync(string action, Dictionary<string, string> context) =>
        ConnectionAuthorizer.ForUser(_host.Engine, PolicySubjectTests.UserToken("alice", new[] { "user" }, sudo: false), "alice", () => ("alice-59936c3", "dev"))
            .AuthorizeAsync(action, context, TestContext.Current.CancellationToken);

    [Fact]
    public async Task The_input_document_goes_to_the_package_of_the_action_and_its_allow_decides()
    {
        var exec = await AuthorizeAsync("ssh:exec", new() { ["command"] = "make test", ["pty"] = "", ["as_user"] = "root" });
        var session = await AuthorizeAsync("session:start", new() { ["session_type"] = "exec", ["session_source"] = "ssh-proxy" });

        Assert.True(exec.Allowed);
        Assert.True(session.Allowed);
        var requests = _evaluator.Requests.ToArray();
        Assert.Equal(["/v1/data/k8shell/ssh", "/v1/data/k8shell/session"], requests.Select(request => request.Path));
        var expected = JsonNode.Parse("""
            {"input": {
              "action": "ssh:exec",
              "resource": {"type": "workspace", "id": "alice-59936c3", "attributes": {"owner": "alice", "blueprint": "dev"}},
              "context": {"command": "make test", "as_user": "root"},
              "subject": {"username": "alice", "email": "alice@example.com", "name": "Alice Example", "uid": 1001, "gid": 1002,
                          "roles": ["user"], "organization": "acme", "source": "idp.k8shell.io/file", "shell": "/bin/zsh", "sudo": false}}}
            """);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(requests[0].Body)), requests[0].Body);
    }

    [Fact]
    public async Task A_denial_carries_the_evaluators_reason()
    {
        _evaluator.Answer = """{"result": {"allow": false, "reason": "agent forwarding is off"}}""";

        var decision = await AuthorizeAsync("ssh:agent-forward", []);

        Assert.Equal((false, "agent forwarding is off"), (decision.Allowed, decision.Reason));
    }

    [Fact]
    public async Task Obligations_come_back_as_strings_lists_as_their_json_text()
    {
        _evaluator.Answer = """{"result": {"allow": true, "obligations": {"record": "shell,exec", "tags": ["a", "b"]}}}""";

        var decision = await AuthorizeAsync("session:start", new() { ["session_type"] = "shell" });

        Assert.True(decision.Allowed);
        Assert.Equal(new Dictionary<string, string> { ["record"] = "shell,exec", ["tags"] = """["a","b"]""" }, decision.Obligations);
    }

    [Theory]
    [InlineData(500, """{"code": "internal_error"}""", "policy evaluation failed: the policy evaluator answered 500 Internal Server Error")]
    [InlineData(200, "<html>oops</html>", "policy evaluation failed: the policy evaluator's answer is not JSON")]
    [InlineData(200, "{}", "policy evaluation failed: the policy evaluator has no result for k8shell/ssh")]
    [InlineData(200, """{"result": {"allowed": true}}""", "policy evaluation failed: the policy evaluator's result for k8shell/ssh has no allow true or false")]
    [InlineData(200, """{"result": {"allow": "yes"}}""", "policy evaluation failed: the policy evaluator's result for k8shell/ssh has no allow true or false")]
    [InlineData(200, "[true]", "policy evaluation failed: the policy evaluator has no result for k8shell/ssh")]
    public async Task An_answer_that_is_not_a_decision_denies_naming_the_problem_and_is_logged(int status, string answer, string expected)
    {
        (_evaluator.Status, _evaluator.Answer) = (status, answer);

        var decision = await AuthorizeAsync("ssh:shell", []);

        Assert.Equal((false, expected), (decision.Allowed, decision.Reason));
        Assert.True(_host.Logged.Contains(expected["policy evaluation failed: ".Length..]));
    }

    [Fact]
    public async Task An_evaluator_that_does_not_answer_in_time_denies()
    {
        _evaluator.Delay = TimeSpan.FromMinutes(5);

        var decision = await AuthorizeAsync("ssh:shell", []);

        Assert.Equal((false, "policy evaluation failed: the policy evaluator did not answer within 0.5 s"), (decision.Allowed, decision.Reason));
    }

    [Fact]
    public async Task An_evaluator_that_cannot_be_reached_denies()
    {
        var address = _evaluator.Address;
        await _evaluator.DisposeAsync();
        _evaluator = await LocalPolicyEvaluator.StartAsync(TestContext.Current.CancellationToken);
        await using var host = await PolicyHost.StartAsync(new() { ["SshProxy:Policy:Evaluator:Url"] = address }, TestContext.Current.CancellationToken);

        var decision = await ConnectionAuthorizer.ForUser(host.Engine, PolicySubjectTests.UserToken("alice", "user", false), "alice", () => null)
            .AuthorizeAsync("ssh:sftp", new Dictionary<string, string>(), TestContext.Current.CancellationToken);

        Assert.Equal((false, "policy evaluation failed: the policy evaluator cannot be reached (ConnectionError)"), (decision.Allowed, decision.Reason));
    }
}
