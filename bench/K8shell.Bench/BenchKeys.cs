using K8shell.Testing;

namespace K8shell.Bench;

/// <summary>The keys every server of a run shares: one host key (sshd's and the test host's), one user key in a HOME of the run's own.</summary>
internal sealed record BenchKeys(string Home, string HostKey, string UserKey, string AuthorizedKey)
{
    public static async Task<BenchKeys> CreateAsync(string directory, CancellationToken cancellationToken)
    {
        var home = Path.Combine(directory, "home");
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        var hostKey = Path.Combine(directory, "host_ed25519");
        await SshKeys.GenerateAsync(hostKey, cancellationToken: cancellationToken);
        // Where the AppHost's dev user reads the developer's key from (HOME/.ssh).
        var userKey = Path.Combine(home, ".ssh", "id_ed25519");
        var (_, authorizedKey) = await SshKeys.GenerateAsync(userKey, cancellationToken: cancellationToken);
        return new BenchKeys(home, hostKey, userKey, authorizedKey);
    }

    public SshTarget Sshd(Sshd sshd) => new("sshd", sshd.Port, Environment.UserName, UserKey)
    {
        // The listener reaps each connection's processes, which reaped the command.
        Cpu = new ServerCpu(() => [sshd.ProcessId], childrenReaped: () => ProcessStats.TreeNamed(sshd.ProcessId, "sshd").Count == 1),
    };
}
