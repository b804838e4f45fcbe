using System.Diagnostics;
using System.Globalization;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// A server run inside the workspace through the gateway (an exec that lives as long as the test needs it), on a
/// TCP port of 127.0.0.1 or on a Unix socket: it speaks first ("hello-from-workspace"), then answers each line in
/// upper case. Its address (the port, or the socket's path) comes back on stdout.
/// </summary>
public sealed class WorkspaceServer : IAsyncDisposable
{
    public const string Greeting = "hello-from-workspace";

    /// <summary>The server's Python: with an argument it listens on that Unix socket path, without one on a free TCP port.</summary>
    public const string Script = """
        import socket, sys, threading
        if len(sys.argv) > 1:
            s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); address = sys.argv[1]
        else:
            s = socket.socket(); s.bind(("127.0.0.1", 0)); address = s.getsockname()[1]
        s.listen(16)
        print(address, flush=True)
        def serve(c):
            f = c.makefile("rwb")
            f.write(b"hello-from-workspace\n"); f.flush()
            for line in f:
                f.write(line.upper()); f.flush()
            c.close()
        while True:
            c, _ = s.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
        """;

    private readonly Gateway _gateway;
    private readonly Process _ssh;
    private readonly string _address;
    private readonly string[] _extra;

    private WorkspaceServer(Gateway gateway, Process ssh, string address, string[] extra)
    {
        _gateway = gateway;
        _ssh = ssh;
        _address = address;
        _extra = extra;
    }

    /// <summary>The TCP port on the workspace's 127.0.0.1 (servers started by <see cref="StartAsync"/>).</summary>
    public int Port => int.Parse(_address, CultureInfo.InvariantCulture);

    /// <summary>The Unix socket's path inside the workspace (servers started by <see cref="StartOnUnixSocketAsync"/>).</summary>
    public string SocketPath => _address;

    /// <summary>A TCP server; <paramref name="extra"/> goes to ssh first (a ControlPath, for instance).</summary>
    public static Task<WorkspaceServer> StartAsync(Gateway gateway, params string[] extra) => StartListeningAsync(gateway, null, extra);

    /// <summary>A server on the Unix socket <paramref name="path"/> inside the workspace (removed again on dispose).</summary>
    public static Task<WorkspaceServer> StartOnUnixSocketAsync(Gateway gateway, string path) => StartListeningAsync(gateway, path, []);

    private static async Task<WorkspaceServer> StartListeningAsync(Gateway gateway, string? socketPath, string[] extra)
    {
        var command = $"exec /usr/bin/python3 -c '{Script.Replace("'", "'\\''")}'" + (socketPath is null ? "" : $" '{socketPath}'");
        var ssh = gateway.StartPiped(command, extra);
        var line = await ssh.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException($"the workspace server did not start: {await ssh.StandardError.ReadToEndAsync()}");
        return new WorkspaceServer(gateway, ssh, line, extra);
    }

    public async ValueTask DisposeAsync()
    {
        _ssh.Kill(entireProcessTree: true);
        await _ssh.WaitForExitAsync();
        _ssh.Dispose();
        if (_address.StartsWith('/'))
        {
            // A killed server leaves its socket file behind; remove it the way it was made, from inside the workspace.
            await _gateway.SshAsync($"rm -f '{_address}'", null, _extra);
        }
    }
}
