using K8shell.Testing;
using K8shell.Ssh.HostKeys;

namespace K8shell.Ssh.Tests;

/// <summary>Host key files in OpenSSH's format, checked with Debian's ssh-keygen both ways.</summary>
public sealed class HostKeyFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("k8shell-hostkeys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> KeyTypes => ["ssh-ed25519", "ssh-rsa"];

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public async Task Ssh_keygen_reads_the_keys_we_write(string keyType)
    {
        HostKey key = keyType == "ssh-rsa" ? RsaHostKey.Generate(2048) : Ed25519HostKey.Generate();
        var path = Path.Combine(_directory, "host_key");
        File.WriteAllText(path, OpenSshKeyFile.Format(key, "k8shell-test"));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var publicLine = await Programs.RunToSuccessAsync("ssh-keygen", ["-y", "-f", path], cancellationToken: TestContext.Current.CancellationToken);
        // It also reads back the comment, so the whole private section parsed.
        Assert.Equal($"{OpenSshKeyFile.PublicKeyLine(key)} k8shell-test", publicLine.Trim());
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public async Task We_read_the_keys_ssh_keygen_writes(string keyType)
    {
        var path = Path.Combine(_directory, "generated");
        await Programs.RunToSuccessAsync("ssh-keygen", ["-q", "-t", keyType == "ssh-rsa" ? "rsa" : "ed25519", "-N", "", "-C", "made-by-ssh-keygen", "-f", path], cancellationToken: TestContext.Current.CancellationToken);

        var key = OpenSshKeyFile.Parse(File.ReadAllText(path));
        var publicLine = File.ReadAllText(path + ".pub").Split(' ');
        Assert.Equal($"{publicLine[0]} {publicLine[1]}", OpenSshKeyFile.PublicKeyLine(key));
        // It signs, too: the key is usable, not just parsed.
        Assert.NotEmpty(key.Sign(key.Algorithms[0], "exchange hash"u8));
    }

    [Fact]
    public async Task An_encrypted_key_is_refused_with_what_to_do_instead()
    {
        var path = Path.Combine(_directory, "encrypted");
        await Programs.RunToSuccessAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "passphrase", "-f", path], cancellationToken: TestContext.Current.CancellationToken);

        var error = Assert.Throws<FormatException>(() => OpenSshKeyFile.Parse(File.ReadAllText(path)));
        Assert.Contains("encrypted", error.Message);
        Assert.Contains("ssh-keygen -N ''", error.Message);
    }

    [Theory]
    [InlineData("not a key at all", "no BEGIN/END OPENSSH PRIVATE KEY")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!\n-----END OPENSSH PRIVATE KEY-----\n", "invalid base64")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAAAAA\n-----END OPENSSH PRIVATE KEY-----\n", "not openssh-key-v1")]
    public void Garbage_is_refused_with_the_reason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => OpenSshKeyFile.Parse(text));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_truncated_key_is_a_format_error_not_a_crash()
    {
        var text = OpenSshKeyFile.Format(Ed25519HostKey.Generate(), "x");
        var lines = text.Split('\n');
        var truncated = string.Join('\n', lines[0], lines[1], lines[^2], "");
        Assert.Throws<FormatException>(() => OpenSshKeyFile.Parse(truncated));
    }

    [Fact]
    public void Load_or_create_generates_once_with_owner_only_access_and_then_loads_the_same_key()
    {
        var path = Path.Combine(_directory, "data", "ssh_host_ed25519_key");
        var created = OpenSshKeyFile.LoadOrCreate(path, Ed25519HostKey.Generate, "k8shell");
        var loaded = OpenSshKeyFile.LoadOrCreate(path, () => throw new InvalidOperationException("must not generate again"), "k8shell");

        Assert.Equal(created.PublicKeyBlob, loaded.PublicKeyBlob);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["ssh_host_ed25519_key"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }
}
