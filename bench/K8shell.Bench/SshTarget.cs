using System.Diagnostics;
using K8shell.Testing;

namespace K8shell.Bench;

/// <summary>A server the measures run against: where it listens, as whom to log in (a user string for the proxy), with which key.</summary>
internal sealed record SshTarget(string Name, int Port, string User, string KeyFile)
{
    /// <summary>Where the server's CPU is counted; null where it cannot be told from the client's (a server in this process).</summary>
    public ServerCpu? Cpu { get; init; }

    private string Options => $"-F /dev/null -o Port={Port} -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityFile={KeyFile} " +
                              "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR";

    /// <summary>An OpenSSH client command line (for <c>sh -c</c>) running <paramref name="command"/> on this server as <paramref name="user"/>.</summary>
    public string Ssh(string command, string? user = null) => $"ssh {Options} {user ?? User}@127.0.0.1 '{command}'";

    /// <summary>An scp command line copying <paramref name="from"/> to <paramref name="to"/>; a remote side is written <c>:path</c>.</summary>
    public string Scp(string from, string to) => $"scp {Options} {Remote(from)} {Remote(to)}";

    private string Remote(string path) => path.StartsWith(':') ? $"{User}@127.0.0.1{path}" : path;

    /// <summary>How long a shell command line takes; it must succeed.</summary>
    public static async Task<TimeSpan> TimeAsync(string commandLine, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await Programs.RunToSuccessAsync("/bin/sh", ["-c", commandLine], cancellationToken: cancellationToken);
        return stopwatch.Elapsed;
    }
}
