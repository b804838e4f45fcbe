using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.Transport;

namespace K8shell.Ssh.Tests;

/// <summary>The identification exchange against the real OpenSSH client, both directions.</summary>
public sealed class OpenSshIdentificationTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Openssh_reads_our_identification_and_we_read_its()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var ssh = Process.Start(new ProcessStartInfo("ssh")
        {
            ArgumentList =
            {
                "-v", "-p", port.ToString(), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "probe@127.0.0.1", "true",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        })!;
        var clientLog = ssh.StandardError.ReadToEndAsync(Cancellation);

        using (var socket = await listener.AcceptSocketAsync(Cancellation))
        await using (var stream = new NetworkStream(socket, ownsSocket: false))
        {
            await stream.WriteAsync(SshIdentification.ForServer("K8shell_test").ToWire(), Cancellation);
            var client = await IdentificationExchange.ReadAsync(PipeReader.Create(stream), Cancellation);

            Assert.Equal("2.0", client.ProtocolVersion);
            Assert.StartsWith("OpenSSH_", client.SoftwareVersion);
        }

        await ssh.WaitForExitAsync(Cancellation);
        Assert.Contains("Remote protocol version 2.0, remote software version K8shell_test", await clientLog);
    }
}
