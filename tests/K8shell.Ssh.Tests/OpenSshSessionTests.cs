using System.Net.Sockets;
using System.Security.Cryptography;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.Connection;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;
using K8shell.Testing;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>Session channels (RFC 4254 §6) through the test host, driven by OpenSSH.</summary>
public sealed class OpenSshSessionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-session-").FullName;
    private readonly CancellationTokenSource _deadline = TestDeadline.Create(TimeSpan.FromSeconds(60));

    private readonly HostedRuns _runs;

    public OpenSshSessionTests() => _runs = new HostedRuns(_directory, Cancellation);

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Exec_keeps_stdout_and_stderr_apart_and_reports_the_exit_code()
    {
        var run = await _runs.RunAsync("echo out; echo err >&2; exit 3", stdin: []);

        Assert.Equal("out\n", System.Text.Encoding.UTF8.GetString(run.Stdout));
        Assert.Contains("err", run.Log);
        Assert.Equal(3, run.ExitCode);
    }

    [Fact]
    public async Task Stdin_reaches_the_command_and_its_eof_ends_it()
    {
        var run = await _runs.RunAsync("tr a-z A-Z", "hello through ssh\n"u8.ToArray());

        Assert.Equal("HELLO THROUGH SSH\n", System.Text.Encoding.UTF8.GetString(run.Stdout));
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Sixty_four_mebibytes_each_way_arrive_intact_through_the_windows()
    {
        // Far more than one 2 MiB window in each direction: flow control must keep both sides moving.
        var data = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        var run = await _runs.RunAsync("cat", data);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(data.Length, run.Stdout.Length);
        Assert.True(SHA256.HashData(data).AsSpan().SequenceEqual(SHA256.HashData(run.Stdout)), "the bytes came back changed");
    }

    [Theory]
    [InlineData("chacha20-poly1305@openssh.com")]
    [InlineData("aes256-gcm@openssh.com")]
    [InlineData("aes128-ctr")]
    public async Task Re_keying_every_16_mebibytes_mid_transfer_loses_nothing(string cipher)
    {
        var data = RandomNumberGenerator.GetBytes(128 * 1024 * 1024);
        var run = await _runs.RunAsync("cat", data, "RekeyLimit=16M", $"Ciphers={cipher}");

        Assert.Equal(0, run.ExitCode);
        Assert.True(SHA256.HashData(data).AsSpan().SequenceEqual(SHA256.HashData(run.Stdout)), "the bytes came back changed");
        // 256 MiB crossed the connection: the client re-keyed many times, and each exchange completed.
        var exchanges = run.Log.Split("SSH2_MSG_NEWKEYS received").Length - 1;
        Assert.True(exchanges >= 8, $"only {exchanges} key exchanges completed");
    }

    [Fact]
    public async Task Two_gibibytes_through_cat_with_a_re_key_every_64_mebibytes_arrive_intact()
    {
        // 1 GiB up and the same 1 GiB back: hashed on the fly on both sides instead of held in memory.
        const long Size = 1L << 30;
        var (keyFile, authorizedKey) = await _runs.UserKeyAsync();
        var config = TestHost.AcceptingOnly(HostedRuns.HostKey, authorizedKey);
        await using var ssh = OpenSshClient.StartCommand(OpenSshKeyFile.PublicKeyLine(HostedRuns.HostKey), "alice", null, "cat",
            $"IdentityFile={keyFile}", "PreferredAuthentications=publickey", "RekeyLimit=64M");
        using var socket = await ssh.AcceptAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var serve = Task.Run(async () => await TestHost.ServeAsync(await SshServer.HandshakeAsync(stream, config, Cancellation), Cancellation), Cancellation);

        var sent = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunk = new byte[1024 * 1024];
            for (long written = 0; written < Size; written += chunk.Length)
            {
                RandomNumberGenerator.Fill(chunk);
                hash.AppendData(chunk);
                await ssh.Input.WriteAsync(chunk, Cancellation);
            }
            ssh.Input.Close();
            return hash.GetHashAndReset();
        }, Cancellation);
        using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1024 * 1024];
        long total = 0;
        int read;
        while ((read = await ssh.Output.ReadAsync(buffer, Cancellation)) > 0)
        {
            received.AppendData(buffer, 0, read);
            total += read;
        }

        Assert.Equal(0, await ssh.ExitCodeAsync(Cancellation));
        await serve;
        Assert.Equal(Size, total);
        Assert.Equal(await sent, received.GetHashAndReset());
        var exchanges = (await ssh.LogAsync(Cancellation)).Split("SSH2_MSG_NEWKEYS received").Length - 1;
        // OpenSSH counts each direction against its limit: 1 GiB / 64 MiB = 16 re-exchanges, after the first.
        Assert.True(exchanges >= 17, $"only {exchanges} key exchanges for 1 GiB each way with a 64 MiB limit");
    }

    [Fact]
    public async Task The_server_rekeys_on_its_own_after_its_byte_limit()
    {
        var data = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        SshServerConnection? server = null;
        // The client's own limit stays at its default (far above 64 MiB): every re-exchange here is ours.
        var run = await _runs.RunAsync("cat", data, new Scenario
        {
            OnConnected = connection => server = connection,
            RekeyLimits = new RekeyLimits(8 * 1024 * 1024, TimeSpan.FromHours(1)),
        });

        Assert.Equal(0, run.ExitCode);
        Assert.True(SHA256.HashData(data).AsSpan().SequenceEqual(SHA256.HashData(run.Stdout)), "the bytes came back changed");
        Assert.True(server!.Transport.Rekeys >= 7, $"only {server.Transport.Rekeys} re-exchanges for 64 MiB each way with an 8 MiB limit");
        var exchanges = run.Log.Split("SSH2_MSG_NEWKEYS received").Length - 1;
        Assert.Equal(server.Transport.Rekeys + 1, exchanges);
    }

    [Fact]
    public async Task The_server_rekeys_on_its_own_after_its_time_limit()
    {
        SshServerConnection? server = null;
        var run = await _runs.RunAsync("for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; sleep 0.2; done", [], new Scenario
        {
            OnConnected = connection => server = connection,
            RekeyLimits = new RekeyLimits(long.MaxValue, TimeSpan.FromMilliseconds(500)),
        });

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("1 2 3 4 5 6 7 8 9 10", System.Text.Encoding.UTF8.GetString(run.Stdout).ReplaceLineEndings(" ").Trim());
        Assert.InRange(server!.Transport.Rekeys, 2, 5);
    }

    [Fact]
    public async Task Keepalive_probes_are_answered_by_a_live_client_and_end_a_frozen_one()
    {
        Action<SshServerConnection> probing = connection => _ = connection.KeepAliveAsync(TimeSpan.FromMilliseconds(200), 3, Cancellation);

        var alive = await _runs.RunAsync("sleep 1.5", [], new Scenario { OnConnected = probing });
        Assert.Equal(0, alive.ExitCode);
        Assert.Contains("client_input_global_request: rtype keepalive@openssh.com want_reply 1", alive.Log);

        // A client that stops answering (SIGSTOP) is cut off after three unanswered probes.
        var frozen = await _runs.RunAsync("sleep 30", [], new Scenario { OnConnected = probing, FreezeClientFor = TimeSpan.FromSeconds(2) });
        Assert.Equal(255, frozen.ExitCode);
        Assert.Contains("no answer to 3 keepalive probes", frozen.Log);
    }

    [Fact]
    public async Task Openssh_learns_our_other_host_keys_once_we_prove_we_hold_them()
    {
        var (keyFile, authorizedKey) = await _runs.UserKeyAsync();
        using var rsa = RsaHostKey.Generate(2048);
        var config = new SshServerConfig
        {
            HostKeys = [HostedRuns.HostKey, rsa],
            PublicKeyCallback = (request, _) => ValueTask.FromResult(request.Key.AuthorizedKey == authorizedKey ? AuthDecision.Accept() : AuthDecision.Reject()),
        };
        // The client trusts only our Ed25519 key; hostkeys-00 tells it about the RSA key, hostkeys-prove-00 proves it.
        await using var ssh = OpenSshClient.StartCommand(OpenSshKeyFile.PublicKeyLine(HostedRuns.HostKey), "alice", null, "true",
            $"IdentityFile={keyFile}", "PreferredAuthentications=publickey", "UpdateHostKeys=yes");
        using var socket = await ssh.AcceptAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var serve = Task.Run(async () => await TestHost.ServeAsync(await SshServer.HandshakeAsync(stream, config, Cancellation), Cancellation), Cancellation);

        Assert.Equal(0, await ssh.ExitCodeAsync(Cancellation));
        await serve;
        var knownHosts = await File.ReadAllTextAsync(ssh.KnownHostsFile, Cancellation);
        Assert.True(knownHosts.Contains(OpenSshKeyFile.PublicKeyLine(rsa)), $"known_hosts:\n{knownHosts}\nlog:\n{await ssh.LogAsync(Cancellation)}");
    }

    [Fact]
    public async Task Agent_forwarding_lets_the_command_use_the_clients_ssh_agent()
    {
        var (keyFile, _) = await _runs.UserKeyAsync();
        using var agent = await SshAgent.StartAsync(Path.Combine(_directory, "agent.sock"), Cancellation);
        await agent.AddAsync(keyFile, Cancellation);

        // ssh-add on our side lists the key held by the client's agent, over auth-agent@openssh.com.
        var run = await _runs.RunAsync("ssh-add -L", [], new Scenario { AgentSocket = agent.SocketPath }, "ForwardAgent=yes");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith(File.ReadAllText(keyFile + ".pub").Split(' ')[1], System.Text.Encoding.UTF8.GetString(run.Stdout).Split(' ')[1]);
    }
}
