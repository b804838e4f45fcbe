using K8shell.Ssh.HostKeys;

namespace K8shell.SshProxy.Connections;

/// <summary>The gateway's host keys: Ed25519 and RSA, generated once into the data directory and kept (SPEC.md §2).</summary>
internal static class HostKeyFiles
{
    public static IReadOnlyList<HostKey> LoadOrCreate(string directory)
    {
        Directory.CreateDirectory(directory);
        return
        [
            OpenSshKeyFile.LoadOrCreate(Path.Combine(directory, "ssh_host_ed25519_key"), Ed25519HostKey.Generate, "k8shell-proxy"),
            OpenSshKeyFile.LoadOrCreate(Path.Combine(directory, "ssh_host_rsa_key"), () => RsaHostKey.Generate(3072), "k8shell-proxy"),
        ];
    }
}
