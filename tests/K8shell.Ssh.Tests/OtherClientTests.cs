using System.Net;
using System.Net.Sockets;
using K8shell.Ssh.Algorithms;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.Testing;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>Exec through the test host from client implementations other than OpenSSH: asyncssh and SSH.NET.</summary>
public sealed class OtherClientTests
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly SshServerConfig Config = new()
    {
        HostKeys = [HostKey],
        PasswordCallback = (request, _) => ValueTask.FromResult(request.User == "alice" && request.Password == "secret" ? AuthDecision.Accept() : AuthDecision.Reject()),
    };

    [Fact]
    public async Task Asyncssh_runs_a_command_with_stdout_stderr_and_exit_status_apart()
    {
        var output = await RunAsyncsshAsync("""
            result = await conn.run("echo out; echo err >&2; exit 5")
            print(repr(result.stdout), repr(result.stderr), result.exit_status)
            """);

        Assert.Equal("'out\\n' 'err\\n' 5", output);
    }

    [Fact]
    public async Task Signals_reach_the_command_and_a_signal_death_comes_back_as_exit_signal()
    {
        // "signal" (RFC 4254 §6.9) goes to the command's process group; the shell dies of it and we say so (§6.10).
        var output = await RunAsyncsshAsync("""
            process = await conn.create_process("echo ready; sleep 30")
            print(repr(await process.stdout.readline()))
            process.send_signal("INT")
            await process.wait_closed()
            print(process.exit_status, process.exit_signal[:2])
            result = await conn.run("ulimit -c 0; kill -SEGV $$")
            print(result.exit_status, result.exit_signal[:2])
            """);

        Assert.Equal("'ready\\n'\n-1 ('INT', False)\n-1 ('SEGV', False)", output);
    }

    /// <summary>Runs <paramref name="body"/> in asyncssh with <c>conn</c> logged in as alice; returns what it printed.</summary>
    private static async Task<string> RunAsyncsshAsync(string body)
    {
        using var listener = Listen(out var port);
        var program = $"""
            import asyncio, asyncssh
            async def main():
                async with asyncssh.connect("127.0.0.1", {port}, username="alice", password="secret", known_hosts=None) as conn:
            {string.Join('\n', body.Split('\n').Select(line => "        " + line))}
            asyncio.run(main())
            """;
        using var python = Programs.Start("/usr/bin/python3", ["-W", "ignore", "-c", program]);

        await ServeOneAsync(listener);
        var (exitCode, output, errors) = await python.WaitAsync(Cancellation);
        Assert.True(exitCode == 0, $"asyncssh failed:\n{output}{errors}");
        return output.Trim();
    }

    [Fact]
    public async Task Ssh_net_runs_a_command_in_process()
    {
        using var listener = Listen(out var port);
        var serving = ServeOneAsync(listener);

        using (var client = new Renci.SshNet.SshClient("127.0.0.1", port, "alice", "secret"))
        {
            await client.ConnectAsync(Cancellation);
            using var command = client.RunCommand("echo out; echo err >&2; exit 7");
            Assert.Equal("out\n", command.Result);
            Assert.Equal("err\n", command.Error);
            Assert.Equal(7, command.ExitStatus);
            client.Disconnect();
        }
        await serving;
    }

    /// <summary>OpenSSH 9.2 predates ML-KEM: SSH.NET is the client here that speaks both post-quantum hybrids.</summary>
    [Theory]
    [InlineData(AlgorithmNames.MlKem768X25519Sha256)]
    [InlineData(AlgorithmNames.Sntrup761X25519Sha512)]
    [InlineData(AlgorithmNames.Sntrup761X25519Sha512Ietf)]
    public async Task Ssh_net_agrees_on_each_post_quantum_key_exchange(string kex)
    {
        using var listener = Listen(out var port);
        string? negotiated = null;
        var serving = ServeOneAsync(listener, connection => negotiated = connection.KeyExchange.Algorithms.Kex);

        var connectionInfo = new Renci.SshNet.PasswordConnectionInfo("127.0.0.1", port, "alice", "secret");
        foreach (var other in connectionInfo.KeyExchangeAlgorithms.Keys.Where(name => name != kex).ToList())
        {
            connectionInfo.KeyExchangeAlgorithms.Remove(other);
        }
        using (var client = new Renci.SshNet.SshClient(connectionInfo))
        {
            await client.ConnectAsync(Cancellation);
            using var command = client.RunCommand("echo agreed");
            Assert.Equal("agreed\n", command.Result);
            client.Disconnect();
        }
        await serving;
        Assert.Equal(kex, negotiated);
    }

    private static TcpListener Listen(out int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return listener;
    }

    private static async Task ServeOneAsync(TcpListener listener, Action<SshServerConnection>? onConnected = null)
    {
        using var socket = await listener.AcceptSocketAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var connection = await SshServer.HandshakeAsync(stream, Config, Cancellation);
        onConnected?.Invoke(connection);
        await TestHost.ServeAsync(connection, Cancellation);
    }
}
