using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>Port, socket and agent forwarding through the gateway, each dialled or listened for inside the workspace.</summary>
public sealed class ForwardingTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Local_forward_reaches_a_workspace_server_that_speaks_first()
    {
        await using var server = await WorkspaceServer.StartAsync(_gateway);
        var local = FreePort.Next();
        using var forward = _gateway.Start(null, null, "-N", "-L", $"{local}:127.0.0.1:{server.Port}");

        using var client = await LineClient.ConnectAsync(local);
        Assert.Equal($"{WorkspaceServer.Greeting}|PING", await LineClient.ConverseAsync(client.GetStream(), "ping"));
    }

    [Theory(Timeout = 300_000)] // a hang guard: a stalled window would otherwise wait forever
    [InlineData("unix-socket")]
    [InlineData("tcp-port")]
    public async Task Local_forward_to_a_workspace_unix_socket_carries_megabytes_both_ways_intact(string localSide)
    {
        var cancellation = TestContext.Current.CancellationToken; // the hang guard cancels it, and every wait below with it
        // Inside the workspace the server listens on a Unix socket: ssh reaches it with direct-streamlocal@openssh.com,
        // whichever kind of local listener the forward has.
        await using var server = await WorkspaceServer.StartOnUnixSocketAsync(_gateway, $"/tmp/k8shell-e2e-{Guid.NewGuid():N}.sock");
        var localSocket = Path.Combine(stack.Home, $"{Guid.NewGuid():N}.sock");
        var localPort = FreePort.Next();
        var listen = localSide == "unix-socket" ? localSocket : localPort.ToString(CultureInfo.InvariantCulture);
        using var forward = _gateway.Start(null, null, "-N", "-o", "ExitOnForwardFailure=yes", "-L", $"{listen}:{server.SocketPath}");

        using var client = localSide == "unix-socket" ? await ConnectUnixAsync(localSocket, cancellation) : (await LineClient.ConnectAsync(localPort)).Client;
        await using var stream = new NetworkStream(client);
        using var conversation = new LineConversation(stream);
        Assert.Equal(WorkspaceServer.Greeting, await conversation.ReadLineAsync());
        // 3 MiB each way: more than the 2 MiB channel window, so flow control has to work in both directions.
        var payload = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3 * 1024 * 1024 / 2));
        Assert.Equal(payload.ToUpperInvariant(), await conversation.AskAsync(payload));
        Assert.Equal("AND-AGAIN", await conversation.AskAsync("and-again"));
    }

    [Fact]
    public async Task Jump_host_stdio_forward_with_W()
    {
        await using var server = await WorkspaceServer.StartAsync(_gateway);
        var start = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. _gateway.Options(), "-W", $"127.0.0.1:{server.Port}", _gateway.Destination()])
        {
            start.ArgumentList.Add(argument);
        }
        using var jump = Process.Start(start)!;
        try
        {
            using var reader = jump.StandardOutput;
            Assert.Equal(WorkspaceServer.Greeting, await reader.ReadLineAsync(Cancellation));
            await jump.StandardInput.WriteLineAsync("through the jump");
            await jump.StandardInput.FlushAsync(Cancellation);
            Assert.Equal("THROUGH THE JUMP", await reader.ReadLineAsync(Cancellation));
        }
        finally
        {
            jump.Kill();
        }
    }

    [Fact]
    public async Task Dynamic_forward_is_a_socks_proxy_into_the_workspace()
    {
        await using var server = await WorkspaceServer.StartAsync(_gateway);
        var socksPort = FreePort.Next();
        using var socks = _gateway.Start(null, null, "-N", "-D", $"127.0.0.1:{socksPort}");

        using var client = await LineClient.ConnectAsync(socksPort);
        var stream = client.GetStream();
        await Socks5.ConnectAsync(stream, "127.0.0.1", server.Port);
        Assert.Equal($"{WorkspaceServer.Greeting}|SOCKS", await LineClient.ConverseAsync(stream, "socks"));
    }

    [Fact]
    public async Task Remote_forward_brings_workspace_connections_back_to_the_client()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var clientSide = ((IPEndPoint)listener.LocalEndpoint).Port;
        var remotePort = FreePort.Next();
        using var forward = _gateway.Start(null, null, "-N", "-o", "ExitOnForwardFailure=yes", "-R", $"127.0.0.1:{remotePort}:127.0.0.1:{clientSide}");
        var answering = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync(Cancellation);
            await accepted.GetStream().WriteAsync("from-the-client-side\n"u8.ToArray(), Cancellation);
        }, Cancellation);

        var reached = false;
        string output = "";
        for (var attempt = 0; attempt < 50 && !reached; attempt++)
        {
            (_, output, _) = await _gateway.SshAsync(
                $"/usr/bin/python3 -c 'import socket; print(socket.create_connection((\"127.0.0.1\", {remotePort})).makefile().readline().strip())'");
            reached = output.Contains("from-the-client-side", StringComparison.Ordinal);
            if (!reached)
            {
                await Task.Delay(200, Cancellation); // the forward is set up once ssh has authenticated
            }
        }
        Assert.True(reached, $"the workspace never reached the client side through -R: {output}");
        await answering;
    }

    [Fact]
    public async Task Agent_forwarding_lets_workspace_processes_use_the_clients_agent()
    {
        using var agent = await SshAgent.StartAsync(Path.Combine(stack.Home, $"agent-{Guid.NewGuid():N}.sock"), Cancellation);
        await agent.AddAsync(stack.KeyFile, Cancellation);
        var fingerprint = (await Programs.RunToSuccessAsync("ssh-keygen", ["-lf", stack.KeyFile], cancellationToken: Cancellation)).Split(' ')[1];

        var (exitCode, output, errors) = await Programs.RunAsync("ssh", ["-A", .. _gateway.Options(), _gateway.Destination(), "ssh-add -l"], agent.Environment, Cancellation);

        Assert.True(exitCode == 0, errors);
        Assert.Contains(fingerprint, output);
    }

    /// <summary>Connects to the Unix socket that a forward creates once ssh has authenticated.</summary>
    private static async Task<Socket> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return socket;
            }
            catch (SocketException) when (attempt < 100)
            {
                socket.Dispose();
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
