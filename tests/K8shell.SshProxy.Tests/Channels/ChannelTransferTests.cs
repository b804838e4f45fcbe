using System.Security.Cryptography;
using K8shell.SshProxy.Connections;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>scp (SFTP and the legacy protocol) and sftp through the dispatcher into the workspace's home.</summary>
public sealed class ChannelTransferTests(ChannelHarness harness) : HarnessTests(harness)
{
    [Theory]
    [InlineData("sftp")]
    [InlineData("legacy")]
    public async Task Scp_copies_a_file_up_and_back_unchanged(string protocol)
    {
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var local = Path.Combine(Harness.Directory, $"up-{protocol}.bin");
        var back = Path.Combine(Harness.Directory, $"back-{protocol}.bin");
        await File.WriteAllBytesAsync(local, data, Cancellation);
        string[] options = protocol == "legacy" ? ["-O"] : [];

        var up = await Harness.OpenSsh.ScpAsync(options, [local, $"{OpenSsh.Destination}:copied-{protocol}.bin"], Cancellation);
        var down = await Harness.OpenSsh.ScpAsync(options, [$"{OpenSsh.Destination}:copied-{protocol}.bin", back], Cancellation);

        Assert.True(up.ExitCode == 0, up.Stderr);
        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Harness.Home, $"copied-{protocol}.bin"), Cancellation)));
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(back, Cancellation)));
        Assert.Contains(protocol == "legacy" ? ConnectionTraffic.Exec : ConnectionTraffic.Sftp, Harness.Connections.Last().Traffic.Operations);
    }

    [Fact]
    public async Task An_sftp_batch_makes_a_directory_and_lists_it()
    {
        var batch = Path.Combine(Harness.Directory, "batch");
        await File.WriteAllTextAsync(batch, "mkdir made-by-sftp\ncd made-by-sftp\npwd\n", Cancellation);

        var run = await Harness.OpenSsh.SftpBatchAsync(batch, Cancellation);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(Directory.Exists(Path.Combine(Harness.Home, "made-by-sftp")));
        Assert.Contains("made-by-sftp", run.Output);
    }
}
