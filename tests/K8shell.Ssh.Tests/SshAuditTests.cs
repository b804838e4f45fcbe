using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.HostKeys;
using K8shell.Testing;

namespace K8shell.Ssh.Tests;

/// <summary>Debian's ssh-audit judges our algorithm choices and key exchange, over several real connections.</summary>
public sealed class SshAuditTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ssh_audit_finds_no_failures_and_no_warnings()
    {
        using var ed25519 = Ed25519HostKey.Generate();
        using var rsa = RsaHostKey.Generate();
        var config = new SshServerConfig { HostKeys = [ed25519, rsa] };
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var serving = ServeAsync(listener, config, stop.Token);

        var report = await SshAuditReport.RunAsync(((IPEndPoint)listener.LocalEndpoint).Port, Cancellation);
        await stop.CancelAsync();
        await serving;

        Assert.Contains("K8shell", report);
        var findings = SshAuditReport.Findings(report);
        Assert.True(findings.Count == 0, "ssh-audit findings:\n" + string.Join('\n', findings) + "\n\nfull report:\n" + report);
        Assert.Contains("(kex) curve25519-sha256", report);
        Assert.Contains("(key) ssh-ed25519", report);
    }

    /// <summary>Accepts connections until stopped, each handshake on its own; ssh-audit leaves after the key exchange.</summary>
    private static async Task ServeAsync(TcpListener listener, SshServerConfig config, CancellationToken stop)
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(stop);
                connections.Add(Task.Run(async () =>
                {
                    using (socket)
                    await using (var stream = new NetworkStream(socket))
                    {
                        try
                        {
                            await SshServer.HandshakeAsync(stream, config, stop);
                        }
                        catch (Exception expected) when (expected is SshProtocolException or Transport.SshDisconnectedException or IOException or OperationCanceledException)
                        {
                            // An auditor disconnects once it has what it came for.
                        }
                    }
                }));
            }
        }
        catch (OperationCanceledException)
        {
            await Task.WhenAll(connections);
        }
    }
}
