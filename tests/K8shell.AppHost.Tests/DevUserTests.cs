using System.Diagnostics;
using K8shell.AppHost.Model;

namespace K8shell.AppHost.Tests;

/// <summary>The dev user a local run seeds Identity with (SPEC.md §11), from a temporary HOME's ~/.ssh.</summary>
public sealed class DevUserTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("k8shell-home-").FullName;
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-devuser-data-").FullName;
    private readonly List<string> _reports = [];

    private string Ssh => Path.Combine(_home, ".ssh");

    [Fact]
    public async Task The_current_user_gets_every_key_of_ssh_pub_files_and_authorized_keys_once_and_Identity_gets_the_file()
    {
        var ed25519 = KeyGen("ed25519", "id_ed25519");
        var rsa = KeyGen("rsa", "id_rsa");
        var ecdsa = KeyGen("ecdsa", "other_ecdsa");
        File.Delete(Path.Combine(Ssh, "other_ecdsa.pub"));
        File.WriteAllText(Path.Combine(Ssh, "authorized_keys"), $"""
            # a comment
            {ed25519}
            command="echo hi",no-pty {ecdsa}
            ssh-dss AAAAB3NzaC1kc3MAAACBAP not-a-type-Identity-takes
            ssh-ed25519 not-base64 broken
            """);
        File.WriteAllText(Path.Combine(Ssh, "known_hosts"), $"github.com {ed25519}\n");

        var environment = await SeedAsync();

        var file = File.ReadAllText(Path.Combine(_data, DevUserExtensions.FileName));
        Assert.Equal(Path.Combine(_data, DevUserExtensions.FileName), environment["Identity__UserFiles__0"]);
        Assert.Contains($"  - username: \"{Environment.UserName}\"", file);
        Assert.Contains("    sudo: true", file);
        var keys = file.Split('\n').Where(line => line.StartsWith("      - ", StringComparison.Ordinal)).ToList();
        // .pub files in name order, then authorized_keys; the ed25519 key once; the ecdsa key without its options.
        Assert.Equal([$"      - \"{ed25519}\"", $"      - \"{rsa}\"", $"      - \"{ecdsa}\""], keys);
        Assert.Equal([$"Dev user {Environment.UserName}: 3 key(s) from {_home}/.ssh"], _reports);
    }

    [Fact]
    public async Task Without_keys_the_user_is_still_written_and_the_run_says_how_to_get_one()
    {
        await SeedAsync();

        Assert.Contains("    authKeys: []", File.ReadAllText(Path.Combine(_data, DevUserExtensions.FileName)));
        Assert.Contains("has no key", Assert.Single(_reports));
    }

    [Fact]
    public void Root_gets_the_fallback_ids_Identity_accepts()
    {
        var file = DevUserFile.Write("root", 0, 0, []);

        Assert.Contains($"    uid: {DevUserFile.FallbackId}", file);
        Assert.Contains($"    gid: {DevUserFile.FallbackId}", file);
    }

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_data, recursive: true);
    }

    private async Task<IReadOnlyDictionary<string, object>> SeedAsync()
    {
        var context = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run, null, null, _data)
        {
            EnvironmentOverrides = new Dictionary<string, string?> { ["HOME"] = _home },
        };
        var identity = new DistributedApplicationBuilder(context).AddProject<Projects.K8shell_Identity>("identity").WithDevUser("Identity:UserFiles");
        foreach (var beforeStart in identity.Resource.Annotations.OfType<BeforeStartAnnotation>())
        {
            await beforeStart.Callback(new BeforeStartContext(context, _reports.Add, TestContext.Current.CancellationToken));
        }
        return identity.Resource.GetEnvironment(context);
    }

    /// <summary>A real key pair from ssh-keygen in ~/.ssh; answers the public key's line.</summary>
    private string KeyGen(string type, string name)
    {
        Directory.CreateDirectory(Ssh);
        using var keygen = Process.Start("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", $"dev@{name}", "-f", Path.Combine(Ssh, name)]);
        keygen.WaitForExit();
        Assert.Equal(0, keygen.ExitCode);
        return File.ReadAllText(Path.Combine(Ssh, name + ".pub")).Trim();
    }
}
