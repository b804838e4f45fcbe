using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// What VS Code Remote-SSH and JetBrains Gateway do to a host (reference/peers.md §4), replayed with OpenSSH:
/// the channel types, their order and their lifetimes, with a stand-in for each IDE's remote server.
/// </summary>
public sealed partial class IdeFlowTests(StackFixture stack) : IDisposable
{
    private readonly Gateway _gateway = new(stack);
    // Short: the control socket's path must fit a sockaddr_un (108 bytes).
    private readonly string _local = Directory.CreateTempSubdirectory("k8s-ide-").FullName;

    /// <summary>Milliseconds after which a test that hangs fails (its token is cancelled): a guard, not a measure.</summary>
    private const int HangGuard = 300_000;

    [Fact(Timeout = HangGuard)]
    public async Task A_vscode_like_bash_on_stdin_starts_a_server_whose_port_is_reached_through_socks_until_stdin_closes()
    {
        var cancellation = TestContext.Current.CancellationToken; // the hang guard cancels it, and every wait below with it
        // As VS Code: `ssh -T -D <port> host bash`, no PTY, the install script on stdin. The script is one brace group,
        // so bash has read all of it before it runs, and its `cat` waits for the end of stdin rather than eating the
        // rest of the script. Its server and files go with it however it ends (the EXIT trap).
        var endMarker = $"k8shell-vscode-{Guid.NewGuid():N}: end";
        var script = $$"""
            {
            dir=$(mktemp -d)
            trap 'kill $server; rm -rf "$dir"' EXIT
            cat > "$dir/server.py" <<'K8SHELL_SERVER_PY'
            {{WorkspaceServer.Script}}
            K8SHELL_SERVER_PY
            /usr/bin/python3 "$dir/server.py" > "$dir/server.log" 2>&1 < /dev/null &
            server=$!
            until [ -s "$dir/server.log" ]; do sleep 0.1; done
            echo "listeningOn==$(head -n 1 "$dir/server.log")=="
            cat > /dev/null
            echo "{{endMarker}}"
            }

            """;
        var socksPort = FreePort.Next();
        using var ssh = _gateway.StartPiped("bash", "-T", "-D", $"127.0.0.1:{socksPort}", "-o", "ExitOnForwardFailure=yes");
        var errors = ssh.StandardError.ReadToEndAsync(cancellation);
        try
        {
            await ssh.StandardInput.WriteAsync(script.ReplaceLineEndings("\n"));
            await ssh.StandardInput.FlushAsync(cancellation);

            // The first line must be the marker: VS Code's parser breaks on anything the gateway adds (a MOTD, a banner).
            var first = await ssh.StandardOutput.ReadLineAsync(cancellation);
            var listening = ListeningOn().Match(first ?? "");
            if (!listening.Success)
            {
                Assert.Fail($"expected listeningOn==<port>==, got {first ?? "the end of the output"}: {await ErrorsOfAsync(ssh, errors)}");
            }
            var serverPort = int.Parse(listening.Groups[1].Value);

            // Two connections through the SOCKS listener, open at once, as the IDE's channels are. They close before
            // stdin does, as the IDE's do when its window closes: ssh (any OpenSSH) stays up while a forwarded channel is open.
            using (var editor = await SocksConnectAsync(socksPort, serverPort))
            using (var terminal = await SocksConnectAsync(socksPort, serverPort))
            {
                Assert.Equal("FROM-THE-EDITOR", await editor.AskAsync("from-the-editor"));
                Assert.Equal("FROM-THE-TERMINAL", await terminal.AskAsync("from-the-terminal"));
                Assert.Equal("AGAIN", await editor.AskAsync("again"));
            }

            ssh.StandardInput.Close(); // the script's `cat` ends: it says so, stops its server and exits
            Assert.Equal(endMarker, await ssh.StandardOutput.ReadLineAsync(cancellation));
            Assert.Null(await ssh.StandardOutput.ReadLineAsync(cancellation));
            await ssh.WaitForExitAsync(cancellation);
            Assert.True(ssh.ExitCode == 0, $"ssh exited {ssh.ExitCode}: {await errors}");
        }
        finally
        {
            if (!ssh.HasExited)
            {
                ssh.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact(Timeout = HangGuard)]
    public async Task A_jetbrains_like_deployment_runs_many_execs_an_sftp_upload_and_a_long_forward_over_one_multiplexed_connection()
    {
        var cancellation = TestContext.Current.CancellationToken; // the hang guard cancels it, and every wait below with it
        // JetBrains Gateway keeps one connection and opens many channels on it. OpenSSH's ControlMaster is the same
        // shape: one master connection, and every later ssh/sftp becomes a channel on it.
        using var master = _gateway.Start(null, null, "-N", "-o", "ControlMaster=yes", "-o", $"ControlPath={ControlPath}", "-o", "ControlPersist=no");
        // The master creates its control socket once it has logged in.
        await Eventually.WaitAsync(() => File.Exists(ControlPath), TimeSpan.FromSeconds(60), cancellation);
        var check = await MasterAsync("check");
        Assert.True(check.ExitCode == 0, $"the master connection did not come up: {check.Errors}");

        // Probing and unpacking: short login-shell execs, ten one after the other, then ten at once.
        for (var probe = 0; probe < 10; probe++)
        {
            await ProbeAsync(probe);
        }
        await Task.WhenAll(Enumerable.Range(10, 10).Select(ProbeAsync));

        // The backend is uploaded with sftp, on the same connection, and checked where it landed.
        var directory = $".cache/JetBrains/RemoteDev/dist/{Guid.NewGuid():N}";
        Assert.Equal(0, (await MultiplexedAsync($"mkdir -p {directory}")).ExitCode);
        var worker = Path.Combine(_local, "remote-dev-worker");
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        await File.WriteAllBytesAsync(worker, data, cancellation);
        var batch = Path.Combine(_local, "batch");
        await File.WriteAllTextAsync(batch, $"put {worker} {directory}/remote-dev-worker\n", cancellation);
        var upload = await _gateway.SftpAsync(batch, null, Multiplexed);
        Assert.True(upload.ExitCode == 0, upload.Errors);
        var (sumExit, remoteSum, sumErrors) = await MultiplexedAsync($"sha256sum {directory}/remote-dev-worker");
        Assert.True(sumExit == 0, sumErrors);
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(data))}  {directory}/remote-dev-worker\n", remoteSum);

        // The IDE backend runs, and the client reaches it through one long-lived -L that the master carries, while
        // more execs come and go beside it.
        await using var backend = await WorkspaceServer.StartAsync(_gateway, Multiplexed);
        var localPort = FreePort.Next();
        var forwarded = await MasterAsync("forward", "-L", $"{localPort}:127.0.0.1:{backend.Port}");
        Assert.True(forwarded.ExitCode == 0, forwarded.Errors);
        using var client = await LineClient.ConnectAsync(localPort);
        using var conversation = new LineConversation(client.GetStream());
        Assert.Equal(WorkspaceServer.Greeting, await conversation.ReadLineAsync());
        for (var round = 0; round < 6; round++)
        {
            var beside = ProbeAsync(100 + round);
            Assert.Equal($"ROUND-{round}-{new string('X', 1000 * round)}", await conversation.AskAsync($"round-{round}-{new string('x', 1000 * round)}"));
            await beside;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation); // spread over seconds, as an IDE's traffic is
        }

        // Everything above went over the one connection, which is still up.
        Assert.Equal(0, (await MasterAsync("check")).ExitCode);
    }

    /// <summary>The master's control socket (in the test's own short temporary directory).</summary>
    private string ControlPath => Path.Combine(_local, "master");

    /// <summary>
    /// Options of a client that rides on the master. Its own way to the gateway is <c>ProxyCommand=false</c>: a client
    /// that did not multiplex would fail instead of quietly opening a connection of its own.
    /// </summary>
    private string[] Multiplexed => ["-o", "ControlMaster=no", "-o", $"ControlPath={ControlPath}", "-o", "ProxyCommand=false"];

    private Task<(int ExitCode, string Output, string Errors)> MultiplexedAsync(string command) => _gateway.SshAsync(command, null, Multiplexed);

    /// <summary><c>ssh -O operation</c> to the master (check, forward, exit).</summary>
    private Task<(int ExitCode, string Output, string Errors)> MasterAsync(string operation, params string[] extra) =>
        _gateway.SshAsync(null, null, [.. Multiplexed, "-O", operation, .. extra]);

    /// <summary>One JetBrains-style probe: a login bash that marks its output, names the OS, and exits with a status of its own.</summary>
    private async Task ProbeAsync(int probe)
    {
        var (exitCode, output, errors) = await MultiplexedAsync($"/bin/bash -lc 'echo REMOTE_EXEC_OUTPUT_MARKER_ && uname -s && echo probe-{probe} && exit {probe % 4}'");
        Assert.True(exitCode == probe % 4, $"probe {probe} exited {exitCode}, not {probe % 4}: {errors}");
        Assert.Equal($"REMOTE_EXEC_OUTPUT_MARKER_\nLinux\nprobe-{probe}\n", output);
    }

    public void Dispose() => Directory.Delete(_local, recursive: true);

    /// <summary>What ssh said on stderr, for a failure's message: ssh is ended first, since stderr closes only then.</summary>
    private static async Task<string> ErrorsOfAsync(Process ssh, Task<string> errors)
    {
        if (!ssh.HasExited)
        {
            ssh.Kill(entireProcessTree: true);
        }
        return await errors;
    }

    /// <summary>A SOCKS5 CONNECT through <c>ssh -D</c> to 127.0.0.1:<paramref name="port"/> in the workspace, past the server's greeting.</summary>
    private static async Task<SocksConversation> SocksConnectAsync(int socksPort, int port)
    {
        var client = await LineClient.ConnectAsync(socksPort);
        var stream = client.GetStream();
        await Socks5.ConnectAsync(stream, "127.0.0.1", port);
        var conversation = new LineConversation(stream);
        Assert.Equal(WorkspaceServer.Greeting, await conversation.ReadLineAsync());
        return new SocksConversation(client, conversation);
    }

    private sealed class SocksConversation(System.Net.Sockets.TcpClient client, LineConversation conversation) : IDisposable
    {
        public Task<string?> AskAsync(string line) => conversation.AskAsync(line);

        public void Dispose()
        {
            conversation.Dispose();
            client.Dispose();
        }
    }

    [GeneratedRegex("^listeningOn==([0-9]+)==$")]
    private static partial Regex ListeningOn();
}
