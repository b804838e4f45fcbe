using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace K8shell.Ssh.Tests;

/// <summary>
/// The real OpenSSH client connecting to a loopback listener, with explicit options and its own
/// known_hosts file; the test plays the server on the accepted socket.
/// </summary>
internal sealed class OpenSshClient : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Process _ssh;
    private readonly Task<string> _log;
    private readonly string _knownHosts;

    private OpenSshClient(TcpListener listener, Process ssh, string knownHosts)
    {
        _listener = listener;
        _ssh = ssh;
        _knownHosts = knownHosts;
        _log = ssh.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts <c>ssh -v</c> against a fresh listener; <paramref name="hostKeyLine"/> (type and base64) is what it must see.</summary>
    public static OpenSshClient Start(string? hostKeyLine, params string[] options) => Start(hostKeyLine, "probe", null, options);

    /// <summary>
    /// As above, as <paramref name="user"/>, with extra environment (SSH_ASKPASS answers prompts).
    /// The caller's options come first because ssh keeps the first value it sees for an option.
    /// </summary>
    public static OpenSshClient Start(string? hostKeyLine, string user, IReadOnlyDictionary<string, string>? environment, params string[] options) =>
        StartCommand(hostKeyLine, user, environment, "true", options);

    /// <summary>
    /// As above, running <paramref name="command"/> (null: none, for -N or -W); its stdio is
    /// <see cref="Input"/> and <see cref="Output"/>.
    /// </summary>
    public static OpenSshClient StartCommand(string? hostKeyLine, string user, IReadOnlyDictionary<string, string>? environment, string? command, params string[] options)
    {
        var (listener, knownHosts, arguments) = Prepare(hostKeyLine, options);
        var startInfo = new ProcessStartInfo("ssh")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }
        foreach (var argument in (string[])[.. arguments, $"{user}@127.0.0.1", .. command is null ? Array.Empty<string>() : [command]])
        {
            startInfo.ArgumentList.Add(argument);
        }
        return new OpenSshClient(listener, Process.Start(startInfo)!, knownHosts);
    }

    /// <summary>
    /// A loopback listener to connect to, a known_hosts file that pins <paramref name="hostKeyLine"/>
    /// (or trusts any key when null), and the arguments ssh, scp and sftp share (no config file, no
    /// agent surprises) before the destination. <paramref name="options"/> are ssh_config settings
    /// ("Key=value"), or flags passed as they are when they start with '-' (with any argument attached: "-W127.0.0.1:22").
    /// </summary>
    public static (TcpListener Listener, string KnownHosts, string[] Arguments) Prepare(string? hostKeyLine, IEnumerable<string> options)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var knownHosts = Path.GetTempFileName();
        File.WriteAllText(knownHosts, hostKeyLine is null ? "" : $"[127.0.0.1]:{port} {hostKeyLine}\n");
        string[] arguments =
        [
            "-v", "-F", "/dev/null", "-o", $"Port={port}",
            .. options.SelectMany(option => option.StartsWith('-') ? new[] { option } : ["-o", option]),
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", hostKeyLine is null ? "StrictHostKeyChecking=no" : "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={knownHosts}", "-o", "ConnectTimeout=10",
        ];
        return (listener, knownHosts, arguments);
    }

    /// <summary>The known_hosts file ssh uses (deleted on dispose).</summary>
    public string KnownHostsFile => _knownHosts;

    /// <summary>The remote command's stdin.</summary>
    public Stream Input => _ssh.StandardInput.BaseStream;

    /// <summary>The remote command's stdout, as ssh prints it.</summary>
    public Stream Output => _ssh.StandardOutput.BaseStream;

    /// <summary>ssh's exit code: the remote command's, or 255 for ssh's own errors.</summary>
    public async Task<int> ExitCodeAsync(CancellationToken cancellationToken)
    {
        await _ssh.WaitForExitAsync(cancellationToken);
        return _ssh.ExitCode;
    }

    /// <summary>Sends a POSIX signal to the ssh process (SIGSTOP freezes it, SIGCONT wakes it).</summary>
    public void Signal(int signal) => K8shell.Testing.Signals.Send(_ssh, signal);

    public Task<Socket> AcceptAsync(CancellationToken cancellationToken) => _listener.AcceptSocketAsync(cancellationToken).AsTask();

    /// <summary>What ssh -v printed, once it has exited.</summary>
    public async Task<string> LogAsync(CancellationToken cancellationToken)
    {
        await _ssh.WaitForExitAsync(cancellationToken);
        return await _log;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_ssh.HasExited)
        {
            _ssh.Kill();
            await _ssh.WaitForExitAsync();
        }
        _ssh.Dispose();
        _listener.Stop();
        _listener.Dispose();
        File.Delete(_knownHosts);
    }
}
