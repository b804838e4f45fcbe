using System.Security.Cryptography;

namespace K8shell.EndToEnd.Tests;

/// <summary>scp (over SFTP and the legacy protocol) and sftp through the gateway, checked byte for byte.</summary>
public sealed class FileTransferTests(StackFixture stack) : IDisposable
{
    private readonly Gateway _gateway = new(stack);
    private readonly string _local = Directory.CreateTempSubdirectory("k8shell-e2e-files-").FullName;

    [Theory]
    [InlineData("sftp", "-s")]
    [InlineData("legacy", "-O")]
    public async Task Scp_copies_50_MiB_both_ways_intact(string protocol, string flag)
    {
        var upload = Path.Combine(_local, $"up-{protocol}");
        var data = RandomNumberGenerator.GetBytes(50 * 1024 * 1024);
        await File.WriteAllBytesAsync(upload, data, TestContext.Current.CancellationToken);
        var remote = $"scp-{protocol}-{Guid.NewGuid():N}";

        var sent = await _gateway.ScpAsync(flag, upload, $"{_gateway.Destination()}:{remote}");
        Assert.True(sent.ExitCode == 0, sent.Errors);
        var (_, remoteSum, _) = await _gateway.SshAsync($"sha256sum {remote}");
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(data)), remoteSum);

        var download = Path.Combine(_local, $"down-{protocol}");
        var received = await _gateway.ScpAsync(flag, $"{_gateway.Destination()}:{remote}", download);
        Assert.True(received.ExitCode == 0, received.Errors);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(download, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Sftp_runs_a_batch()
    {
        var directory = $"sftp-{Guid.NewGuid():N}";
        var file = Path.Combine(_local, "note.txt");
        await File.WriteAllTextAsync(file, "through sftp\n", TestContext.Current.CancellationToken);
        var batch = Path.Combine(_local, "batch");
        await File.WriteAllTextAsync(batch, $"mkdir {directory}\ncd {directory}\nput {file}\nls -l\nrename note.txt moved.txt\nget moved.txt {_local}/back.txt\n",
            TestContext.Current.CancellationToken);

        var (exitCode, output, errors) = await _gateway.SftpAsync(batch);

        Assert.True(exitCode == 0, errors);
        Assert.Contains("note.txt", output);
        Assert.Equal("through sftp\n", await File.ReadAllTextAsync(Path.Combine(_local, "back.txt"), TestContext.Current.CancellationToken));
        Assert.Equal("through sftp\n", (await _gateway.SshAsync($"cat {directory}/moved.txt")).Output);
    }

    public void Dispose() => Directory.Delete(_local, recursive: true);
}
