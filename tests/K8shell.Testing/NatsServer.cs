using System.Text.RegularExpressions;

namespace K8shell.Testing;

/// <summary>
/// A real nats-server with JetStream on a random loopback port, storage in a temporary folder; a test can stop it and
/// start it again on the same port with the same storage (NATS going away and coming back).
/// The binary comes from scripts/prereqs.sh (.tools/bin), <c>K8SHELL_NATS_SERVER</c>, or PATH.
/// </summary>
public sealed partial class NatsServer : IAsyncDisposable
{
    private readonly string _storage;
    private ChildProcess? _process;

    private NatsServer(ChildProcess process, string storage, int port)
    {
        _process = process;
        _storage = storage;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string services read from <c>ConnectionStrings:nats</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    public static async Task<NatsServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var binary = FindBinary();
        var storage = Directory.CreateTempSubdirectory("k8shell-nats-").FullName;
        // -p -1 lets nats-server pick the port and print it: no race with other tests for a free port.
        var process = ChildProcess.Start("nats-server", binary, ["-a", "127.0.0.1", "-p", "-1", "-js", "-sd", storage]);
        try
        {
            var listening = await process.WaitForLineAsync(
                line => ListeningLine().IsMatch(line), TimeSpan.FromSeconds(30), cancellationToken);
            await process.WaitForLineAsync(line => line.Contains("Server is ready"), TimeSpan.FromSeconds(30), cancellationToken);
            var port = int.Parse(ListeningLine().Match(listening).Groups["port"].Value);
            return new NatsServer(process, storage, port);
        }
        catch
        {
            await process.DisposeAsync();
            Directory.Delete(storage, recursive: true);
            throw;
        }
    }

    /// <summary>Stops the server; clients see it gone until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                await process.StopAsync(TimeSpan.FromSeconds(10));
            }
            await process.DisposeAsync();
        }
    }

    /// <summary>Starts a stopped server again on its port, with the streams and buckets it had.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        _process = ChildProcess.Start("nats-server", FindBinary(), ["-a", "127.0.0.1", "-p", Port.ToString(), "-js", "-sd", _storage]);
        await _process.WaitForLineAsync(line => line.Contains("Server is ready"), TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_storage, recursive: true);
    }

    private static string FindBinary()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("K8SHELL_NATS_SERVER"),
            Path.Combine(RepositoryPaths.Tools, "bin", "nats-server"),
        }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, "nats-server")));

        return candidates.FirstOrDefault(path => !string.IsNullOrEmpty(path) && File.Exists(path))
            ?? throw new FileNotFoundException(
                "nats-server not found (looked at $K8SHELL_NATS_SERVER, .tools/bin and PATH). " +
                "Run scripts/prereqs.sh: it builds nats-server from Debian's source package into .tools/bin.");
    }

    [GeneratedRegex(@"Listening for client connections on [^\s]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
