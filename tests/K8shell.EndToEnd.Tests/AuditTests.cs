using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>Debian's ssh-audit (2.5) against the gateway as deployed: its host keys, its algorithms.</summary>
public sealed class AuditTests(StackFixture stack)
{
    [Fact]
    public async Task Ssh_audit_finds_no_failures_and_warns_only_about_algorithms_newer_than_itself()
    {
        var report = await SshAuditReport.RunAsync(stack.SshPort, TestContext.Current.CancellationToken);

        Assert.Contains("K8shell", report);
        var findings = SshAuditReport.Findings(report);
        Assert.True(findings.Count == 0, "ssh-audit findings:\n" + string.Join('\n', findings) + "\n\nfull report:\n" + report);
        Assert.Contains("(key) ssh-ed25519", report);
        Assert.Contains("(key) rsa-sha2-512", report);
    }
}
