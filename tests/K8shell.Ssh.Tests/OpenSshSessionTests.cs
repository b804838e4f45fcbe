using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.HostKeys;

namespace K8shell.Ssh.Tests;

/// <summary>Session channels (RFC 4254 §6) through the test host, driven by OpenSSH.</summary>
public sealed class OpenSshSessionTests : IDisposable
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-session-").FullName;
    private readonly CancellationTokenSource _deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    public OpenSshSessionTests() => _deadline.CancelAfter(TimeSpan.FromSeconds(60));

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Exec_keeps_stdout_and_stderr_apart_and_reports_the_exit_code()
    {
        var run = await RunAsync("echo out; echo err >&2; exit 3", stdin: []);

        Assert.Equal("out\n", System.Text.Encoding.UTF8.GetString(run.Stdout));
        Assert.Contains("err", run.Log);
        Assert.Equal(3, run.ExitCode);
    }

    [Fact]
    public async Task Stdin_reaches_the_command_and_its_eof_ends_it()
    {
        var run = await RunAsync("tr a-z A-Z", "hello through ssh\n"u8.ToArray());

        Assert.Equal("HELLO THROUGH SSH\n", System.Text.Encoding.UTF8.GetString(run.Stdout));
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Sixty_four_mebibytes_each_way_arrive_intact_through_the_windows()
    {
        // Far more than one 2 MiB window in each direction: flow control must keep both sides moving.
        var data = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        var run = await RunAsync("cat", data);

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
        var run = await RunAsync("cat", data, "RekeyLimit=16M", $"Ciphers={cipher}");

        Assert.Equal(0, run.ExitCode);
        Assert.True(SHA256.HashData(data).AsSpan().SequenceEqual(SHA256.HashData(run.Stdout)), "the bytes came back changed");
        // 256 MiB crossed the connection: the client re-keyed many times, and each exchange completed.
        var exchanges = run.Log.Split("SSH2_MSG_NEWKEYS received").Length - 1;
        Assert.True(exchanges >= 8, $"only {exchanges} key exchanges completed");
    }

    private async Task<(int ExitCode, byte[] Stdout, string Log)> RunAsync(string command, byte[] stdin, params string[] options)
    {
        var (keyFile, authorizedKey) = await UserKeyAsync();
        var config = new SshServerConfig
        {
            HostKeys = [HostKey],
            PublicKeyCallback = (request, _) => ValueTask.FromResult(
                request.Key.AuthorizedKey == authorizedKey ? AuthDecision.Accept() : AuthDecision.Reject()),
        };
        await using var ssh = OpenSshClient.StartCommand(OpenSshKeyFile.PublicKeyLine(HostKey), "alice", null, command,
            [$"IdentityFile={keyFile}", "PreferredAuthentications=publickey", .. options]);

        using var socket = await ssh.AcceptAsync(Cancellation);
        await using var stream = new NetworkStream(socket);
        var serve = Task.Run(async () => await TestHost.ServeAsync(await SshServer.HandshakeAsync(stream, config, Cancellation), Cancellation));

        var feed = Task.Run(async () =>
        {
            await ssh.Input.WriteAsync(stdin, Cancellation);
            ssh.Input.Close();
        });
        using var output = new MemoryStream();
        await ssh.Output.CopyToAsync(output, Cancellation);
        await feed;
        var exitCode = await ssh.ExitCodeAsync(Cancellation);
        await serve;
        return (exitCode, output.ToArray(), await ssh.LogAsync(Cancellation));
    }

    private async Task<(string KeyFile, string AuthorizedKey)> UserKeyAsync()
    {
        var path = Path.Combine(_directory, "id_ed25519");
        if (!File.Exists(path))
        {
            using var keygen = Process.Start("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])!;
            await keygen.WaitForExitAsync(Cancellation);
        }
        var publicKey = File.ReadAllText(path + ".pub").Split(' ');
        return (path, $"{publicKey[0]} {publicKey[1]}");
    }
}
