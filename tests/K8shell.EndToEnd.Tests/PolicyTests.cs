namespace K8shell.EndToEnd.Tests;

/// <summary>The gateway's policy decides channels: a denied forward is refused at once, with the reason.</summary>
public sealed class PolicyTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    [Fact]
    public async Task A_denied_direct_tcpip_is_administratively_prohibited_with_the_reason()
    {
        var (exitCode, _, errors) = await _gateway.SshAsync(null, null, "-o", "LogLevel=INFO", "-W", $"127.0.0.1:{Policies.ClosedPort}");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("administratively prohibited", errors);
        Assert.Contains(Policies.ClosedPortReason, errors);
    }
}
