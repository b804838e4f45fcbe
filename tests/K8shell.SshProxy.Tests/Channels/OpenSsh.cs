using System.Diagnostics;
using System.Text;

namespace K8shell.SshProxy.Tests.Channels;

/// <summary>What a client program did: its exit code and both outputs.</summary>
public sealed record ClientRun(int ExitCode, byte[] Stdout, string Stderr)
{
    public string Output => Encoding.UTF8.GetString(Stdout);
}

/// <summary>
/// OpenSSH's clients against a loopback port with a test key: no config file, no agent unless asked,
/// no host key checks, batch mode. Options are ssh_config settings ("Key=value") or flags ("-tt").
/// </summary>
public sealed class OpenSsh(int port, string keyFile)
{
    public const string Destination = "alice@127.0.0.1";

    public Task<ClientRun> SshAsync(string? command, byte[]? stdin = null, IReadOnlyList<string>? options = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        RunAsync("ssh", [.. Common("-p", options ?? []), Destination, .. command is null ? Array.Empty<string>() : [command]], stdin, environment, cancellationToken);

    /// <summary>scp with <paramref name="arguments"/> naming the files (the remote side as <c>alice@127.0.0.1:path</c>).</summary>
    public Task<ClientRun> ScpAsync(IReadOnlyList<string> options, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync("scp", [.. Common("-P", options), .. arguments], null, null, cancellationToken);

    public Task<ClientRun> SftpBatchAsync(string batchFile, CancellationToken cancellationToken) =>
        RunAsync("sftp", [.. Common("-P", []), "-b", batchFile, Destination], null, null, cancellationToken);

    /// <summary>Starts ssh and leaves it running (-N forwards): the caller kills it by disposing.</summary>
    public Process Start(string? command, IReadOnlyList<string> options) =>
        Process.Start(StartInfo("ssh", [.. Common("-p", options), Destination, .. command is null ? Array.Empty<string>() : [command]], null))!;

    private IEnumerable<string> Common(string portFlag, IEnumerable<string> options) =>
    [
        "-F", "/dev/null", portFlag, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", keyFile,
        .. options.SelectMany(option => option.StartsWith('-') ? new[] { option } : ["-o", option]),
        "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "ConnectTimeout=10",
    ];

    private static ProcessStartInfo StartInfo(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // No agent leaks in from the machine running the tests; a test that wants one says so.
        startInfo.Environment.Remove("SSH_AUTH_SOCK");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }
        return startInfo;
    }

    private static async Task<ClientRun> RunAsync(string program, IEnumerable<string> arguments, byte[]? stdin,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(program, arguments, environment))!;
        try
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            using var output = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin ?? [], cancellationToken);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The remote command ended without reading all of it.
            }
            await reading;
            await process.WaitForExitAsync(cancellationToken);
            return new ClientRun(process.ExitCode, output.ToArray(), await errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
