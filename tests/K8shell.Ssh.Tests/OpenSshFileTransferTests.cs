using System.Net.Sockets;
using System.Security.Cryptography;
using K8shell.Ssh.HostKeys;
using K8shell.Testing;
using K8shell.Testing.SshHost;

namespace K8shell.Ssh.Tests;

/// <summary>scp (over SFTP and the legacy protocol) and sftp against the test host, which runs Debian's sftp-server.</summary>
public sealed class OpenSshFileTransferTests : IDisposable
{
    private static readonly Ed25519HostKey HostKey = Ed25519HostKey.Generate();
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-transfer-").FullName;
    private readonly CancellationTokenSource _deadline = TestDeadline.Create(TimeSpan.FromSeconds(60));

    private CancellationToken Cancellation => _deadline.Token;

    public void Dispose()
    {
        _deadline.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("sftp protocol (OpenSSH 9 default)")]
    [InlineData("-O")]
    public async Task Scp_copies_eight_mebibytes_up_and_back_unchanged(string mode)
    {
        var original = Path.Combine(_directory, "original.bin");
        await File.WriteAllBytesAsync(original, RandomNumberGenerator.GetBytes(8 * 1024 * 1024), Cancellation);
        var uploaded = Path.Combine(_directory, "uploaded.bin");
        var downloaded = Path.Combine(_directory, "downloaded.bin");
        string[] legacy = mode == "-O" ? ["-O"] : [];

        var up = await RunAsync("scp", [.. legacy, original, $"alice@127.0.0.1:{uploaded}"]);
        var down = await RunAsync("scp", [.. legacy, $"alice@127.0.0.1:{uploaded}", downloaded]);

        Assert.True(up.ExitCode == 0, up.Log);
        Assert.True(down.ExitCode == 0, down.Log);
        Assert.Equal(Hash(original), Hash(uploaded));
        Assert.Equal(Hash(original), Hash(downloaded));
        // The legacy protocol runs "scp -t" / "scp -f" as commands; the default one asks for the sftp subsystem.
        Assert.Contains(mode == "-O" ? "Sending command: scp -v -t" : "Sending subsystem: sftp", up.Log);
    }

    [Fact]
    public async Task Sftp_makes_renames_lists_fetches_and_removes()
    {
        var local = Path.Combine(_directory, "notes.txt");
        await File.WriteAllTextAsync(local, "kept intact\n", Cancellation);
        var remote = Path.Combine(_directory, "remote");
        var fetched = Path.Combine(_directory, "fetched.txt");
        var batch = Path.Combine(_directory, "batch");
        await File.WriteAllLinesAsync(batch,
        [
            $"mkdir {remote}", $"put {local} {remote}/a.txt", $"rename {remote}/a.txt {remote}/b.txt",
            $"ls {remote}", $"get {remote}/b.txt {fetched}", $"rm {remote}/b.txt", $"rmdir {remote}",
        ], Cancellation);

        var run = await RunAsync("sftp", ["-b", batch, "alice@127.0.0.1"]);

        Assert.True(run.ExitCode == 0, run.Log);
        Assert.Contains($"{remote}/b.txt", run.Output);
        Assert.Equal("kept intact\n", await File.ReadAllTextAsync(fetched, Cancellation));
        Assert.False(Directory.Exists(remote));
    }

    [Fact]
    public async Task Sftp_reports_a_missing_file_and_the_batch_fails()
    {
        var batch = Path.Combine(_directory, "batch");
        await File.WriteAllLinesAsync(batch, [$"get {_directory}/absent.txt {_directory}/x"], Cancellation);

        var run = await RunAsync("sftp", ["-b", batch, "alice@127.0.0.1"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not found", run.Log);
    }

    /// <summary>Runs an OpenSSH tool against one connection to the test host; returns its exit code, stdout and stderr.</summary>
    private async Task<(int ExitCode, string Output, string Log)> RunAsync(string tool, string[] arguments)
    {
        var (keyFile, authorizedKey) = await UserKeys.GenerateAsync(_directory, "ed25519", null, Cancellation);
        var config = TestHost.AcceptingOnly(HostKey, authorizedKey);
        var (listener, knownHosts, common) = OpenSshClient.Prepare(OpenSshKeyFile.PublicKeyLine(HostKey), [$"IdentityFile={keyFile}", "PreferredAuthentications=publickey"]);
        try
        {
            using var process = Programs.Start(tool, [.. common, .. arguments]);
            using (var socket = await listener.AcceptSocketAsync(Cancellation))
            await using (var stream = new NetworkStream(socket))
            {
                await TestHost.ServeAsync(await SshServer.HandshakeAsync(stream, config, Cancellation), Cancellation);
            }
            return await process.WaitAsync(Cancellation);
        }
        finally
        {
            listener.Dispose();
            File.Delete(knownHosts);
        }
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
