using System.Net;
using System.Net.Sockets;
using K8shell.Testing;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>Port and socket forwarding through the test host (RFC 4254 §7, OpenSSH PROTOCOL §2.4), driven by OpenSSH.</summary>
public sealed class OpenSshForwardingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-forward-").FullName;
    private readonly CancellationTokenSource _deadline = TestDeadline.Create(TimeSpan.FromSeconds(60));
    private readonly HostedRuns _runs;

    public OpenSshForwardingTests() => _runs = new HostedRuns(_directory, Cancellation);

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Local_and_remote_tcp_forwards_carry_bytes_both_ways()
    {
        await using var echo = EchoServer.Tcp();
        var localPort = FreePort.Next();
        while (TestHost.ForwardedPorts.TryDequeue(out _))
        {
        }

        var run = _runs.RunAsync("sleep 4", [],
            $"LocalForward=127.0.0.1:{localPort} 127.0.0.1:{echo.Port}", $"RemoteForward=0 127.0.0.1:{echo.Port}", "ExitOnForwardFailure=yes");

        // -L: our side dials the echo service for the client (direct-tcpip).
        Assert.Equal("via -L", await EchoServer.EchoThroughAsync(new IPEndPoint(IPAddress.Loopback, localPort), "via -L", Cancellation));
        // -R: the client asked us to listen (port 0, so we chose); a connection to it travels back to the client (forwarded-tcpip).
        var remotePort = await NextForwardedPortAsync();
        Assert.Equal("via -R", await EchoServer.EchoThroughAsync(new IPEndPoint(IPAddress.Loopback, remotePort), "via -R", Cancellation));

        var (exitCode, _, log) = await run;
        Assert.Equal(0, exitCode);
        Assert.Contains($"Allocated port {remotePort} for remote forward", log);
    }

    [Fact]
    public async Task Stdio_forwarding_with_dash_w_reaches_the_target_and_ends_with_it()
    {
        await using var echo = EchoServer.Tcp();

        var run = await _runs.RunAsync(null, "through -W\n"u8.ToArray(), $"-W127.0.0.1:{echo.Port}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("through -W\n", System.Text.Encoding.UTF8.GetString(run.Stdout));
    }

    [Fact]
    public async Task A_refused_dial_fails_the_channel_open_with_the_reason()
    {
        var closedPort = FreePort.Next();

        var run = await _runs.RunAsync(null, [], $"-W127.0.0.1:{closedPort}");

        Assert.Equal(255, run.ExitCode);
        Assert.Contains("open failed: connect failed: Connection refused", run.Log);
    }

    [Fact]
    public async Task Local_and_remote_unix_socket_forwards_carry_bytes_both_ways()
    {
        await using var echo = EchoServer.Unix(Path.Combine(_directory, "echo.sock"));
        var local = Path.Combine(_directory, "local.sock");
        var remote = Path.Combine(_directory, "remote.sock");

        var run = _runs.RunAsync("sleep 4", [], $"LocalForward={local} {echo.EndPoint}", $"RemoteForward={remote} {echo.EndPoint}", "ExitOnForwardFailure=yes");

        // -L socket: direct-streamlocal@openssh.com; -R socket: streamlocal-forward@openssh.com and forwarded-streamlocal channels.
        Assert.Equal("via -L unix", await EchoServer.EchoThroughAsync(new UnixDomainSocketEndPoint(local), "via -L unix", Cancellation));
        Assert.Equal("via -R unix", await EchoServer.EchoThroughAsync(new UnixDomainSocketEndPoint(remote), "via -R unix", Cancellation));

        Assert.Equal(0, (await run).ExitCode);
    }

    private async Task<int> NextForwardedPortAsync()
    {
        int port;
        while (!TestHost.ForwardedPorts.TryDequeue(out port))
        {
            await Task.Delay(50, Cancellation);
        }
        return port;
    }
}
