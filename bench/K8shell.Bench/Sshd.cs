using System.Diagnostics;
using K8shell.Testing;

namespace K8shell.Bench;

/// <summary>
/// Debian's OpenSSH sshd on a loopback port with a temporary configuration: the given host key, one authorized key,
/// this user, no PAM — the reference every measure compares against.
/// </summary>
internal sealed class Sshd : IDisposable
{
    private readonly Process _process;

    private Sshd(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The listening sshd; each connection forks its own sshd processes under it.</summary>
    public int ProcessId => _process.Id;

    public static async Task<Sshd> StartAsync(string directory, string hostKey, string authorizedKey, CancellationToken cancellationToken)
    {
        var authorizedKeys = Path.Combine(directory, "authorized_keys");
        await File.WriteAllTextAsync(authorizedKeys, authorizedKey + "\n", cancellationToken);
        var port = FreePort.Next();
        var config = Path.Combine(directory, "sshd_config");
        await File.WriteAllLinesAsync(config,
        [
            $"Port {port}", "ListenAddress 127.0.0.1", $"HostKey {hostKey}", $"AuthorizedKeysFile {authorizedKeys}",
            "StrictModes no", "UsePAM no", "PermitRootLogin prohibit-password", "PasswordAuthentication no",
            "KbdInteractiveAuthentication no", "PidFile none", "LogLevel ERROR", "Subsystem sftp /usr/lib/openssh/sftp-server",
            // The load measure opens hundreds of sessions; handshakes in flight stay under the default 10 anyway.
            "MaxStartups 100:30:200",
        ], cancellationToken);
        Directory.CreateDirectory("/run/sshd"); // privilege separation needs it, as the Debian service would create it
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config]) { RedirectStandardError = true })!;
        var sshd = new Sshd(process, port);
        for (var attempt = 0; !await FreePort.AcceptsConnectionsAsync(port, cancellationToken); attempt++)
        {
            if (attempt == 100 || process.HasExited)
            {
                sshd.Dispose();
                throw new InvalidOperationException($"sshd did not listen on port {port}: {await process.StandardError.ReadToEndAsync(cancellationToken)}");
            }
            await Task.Delay(50, cancellationToken);
        }
        return sshd;
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
