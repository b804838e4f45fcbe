using System.Net;
using System.Net.Sockets;
using K8shell.SshProxy.Connections;
using K8shell.Testing;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>Forwards through the dispatcher, dialled and listened for by k8shelld: -L, -W, -R, Unix sockets, the agent.</summary>
public sealed class ChannelForwardingTests(ChannelHarness harness) : HarnessTests(harness)
{
    [Fact]
    public async Task Local_forwards_carry_bytes_to_a_quiet_server_and_to_one_that_speaks_first()
    {
        await using var echo = EchoServer.Tcp();
        await using var greeter = EchoServer.Tcp("220 hello\n");
        var (echoPort, greeterPort) = (FreePort.Next(), FreePort.Next());

        using var ssh = Harness.OpenSsh.Start(null, ["-N", $"LocalForward=127.0.0.1:{echoPort} 127.0.0.1:{echo.Port}",
            $"LocalForward=127.0.0.1:{greeterPort} 127.0.0.1:{greeter.Port}", "ExitOnForwardFailure=yes"]);
        try
        {
            Assert.Equal("via -L", await EchoServer.EchoThroughAsync(new IPEndPoint(IPAddress.Loopback, echoPort), "via -L", Cancellation));
            Assert.Equal("220 hello\nHELO", await EchoServer.EchoThroughAsync(new IPEndPoint(IPAddress.Loopback, greeterPort), "HELO", Cancellation));
            Assert.Contains(ConnectionTraffic.PortForward, Harness.Connections.Last().Traffic.Operations);
        }
        finally
        {
            ssh.Kill();
        }
    }

    [Fact]
    public async Task Direct_tcpip_past_the_limit_is_refused_with_it_and_a_closed_one_frees_its_slot()
    {
        await using var greeter = EchoServer.Tcp("220 hello\n"); // the greeting proves the channel opened and the workspace dialled
        var local = new IPEndPoint(IPAddress.Loopback, FreePort.Next());
        using var ssh = Harness.OpenSsh.Start(null, ["-N", $"LocalForward=127.0.0.1:{local.Port} 127.0.0.1:{greeter.Port}", "ExitOnForwardFailure=yes"]);
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 15; i++) // ChannelOptions.MaxDirectTcpip's default
            {
                held.Add(await ConnectAsync(local, retry: i == 0));
                Assert.Equal("220 hello\n", await GreetingAsync(held[^1]));
            }

            using (var sixteenth = await ConnectAsync(local, retry: false))
            {
                Assert.Equal("", await GreetingAsync(sixteenth)); // ssh closes it when the channel is refused
            }
            held[0].Dispose();
            Assert.True(await Eventually.WaitAsync(async () =>
            {
                using var another = await ConnectAsync(local, retry: false);
                return await GreetingAsync(another) == "220 hello\n";
            }, TimeSpan.FromSeconds(20), Cancellation), "the closed forward's slot never came back");
        }
        finally
        {
            held.ForEach(socket => socket.Dispose());
            ssh.Kill();
        }
        Assert.Contains("open failed: resource shortage: maximum direct-tcpip connections exceeded (15)", await ssh.StandardError.ReadToEndAsync(Cancellation));
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint target, bool retry)
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(target, Cancellation);
                return socket;
            }
            catch (SocketException) when (retry && attempt < 100) // ssh is still setting up the forward
            {
                socket.Dispose();
                await Task.Delay(100, Cancellation);
            }
        }
    }

    /// <summary>What the forward first delivers: the greeting, or "" when ssh closed the connection instead.</summary>
    private static async Task<string> GreetingAsync(Socket socket)
    {
        var buffer = new byte[64];
        var read = await socket.ReceiveAsync(buffer, Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Cancellation);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task Stdio_forwarding_reaches_the_target_and_a_closed_port_is_refused_with_the_reason()
    {
        await using var echo = EchoServer.Tcp();
        var closedPort = FreePort.Next();

        var through = await Harness.OpenSsh.SshAsync(null, "through -W\n"u8.ToArray(), [$"-W127.0.0.1:{echo.Port}"], cancellationToken: Cancellation);
        var refused = await Harness.OpenSsh.SshAsync(null, [], [$"-W127.0.0.1:{closedPort}"], cancellationToken: Cancellation);

        Assert.Equal(0, through.ExitCode);
        Assert.Equal("through -W\n", through.Output);
        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("open failed: connect failed:", refused.Stderr);
    }

    [Fact]
    public async Task A_remote_forward_listens_in_the_workspace_and_carries_bytes_back_to_the_client()
    {
        await using var echo = EchoServer.Tcp();
        var remotePort = FreePort.Next();

        using var ssh = Harness.OpenSsh.Start(null, ["-N", $"RemoteForward=127.0.0.1:{remotePort} 127.0.0.1:{echo.Port}", "ExitOnForwardFailure=yes"]);
        try
        {
            // k8shelld runs on this machine: its listener is reachable from the test.
            Assert.Equal("via -R", await EchoServer.EchoThroughAsync(new IPEndPoint(IPAddress.Loopback, remotePort), "via -R", Cancellation));
            Assert.Contains(Harness.Policy.Asked, asked => asked.Action == "ssh:tcpip-forward" && asked.Context["port"] == $"{remotePort}");
        }
        finally
        {
            ssh.Kill();
        }
    }

    [Fact]
    public async Task A_local_forward_to_a_unix_socket_dials_it_in_the_workspace()
    {
        var target = Path.Combine(Harness.Directory, $"target-{Guid.NewGuid():N}.sock");
        var local = Path.Combine(Harness.Directory, $"local-{Guid.NewGuid():N}.sock");
        await using var echo = EchoServer.Unix(target);

        using var ssh = Harness.OpenSsh.Start(null, ["-N", $"LocalForward={local} {target}", "ExitOnForwardFailure=yes"]);
        try
        {
            Assert.Equal("via unix", await EchoServer.EchoThroughAsync(new UnixDomainSocketEndPoint(local), "via unix", Cancellation));
            Assert.Contains(ConnectionTraffic.UnixSocket, Harness.Connections.Last().Traffic.Operations);
        }
        finally
        {
            ssh.Kill();
        }
    }

    [Fact]
    public async Task The_clients_agent_is_forwarded_to_the_command()
    {
        using var agent = await SshAgent.StartAsync(Path.Combine(Harness.Directory, $"agent-{Guid.NewGuid():N}.sock"), Cancellation);
        await agent.AddAsync(Harness.KeyFile, Cancellation);

        var run = await Harness.OpenSsh.SshAsync("ssh-add -l", options: ["-A"], environment: agent.Environment, cancellationToken: Cancellation);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("(ED25519)", run.Output);
        Assert.Contains(ConnectionTraffic.AgentForward, Harness.Connections.Last().Traffic.Operations);
    }
}
