using System.Diagnostics;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// A TCP server run inside the workspace through the gateway (an exec that lives as long as the test needs it):
/// it speaks first ("hello-from-workspace"), then answers each line in upper case. Its port comes back on stdout.
/// </summary>
public sealed class WorkspaceServer : IAsyncDisposable
{
    public const string Greeting = "hello-from-workspace";

    private const string Script = """
        import socket, sys, threading
        s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
        print(s.getsockname()[1], flush=True)
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

    private readonly Process _ssh;

    private WorkspaceServer(Process ssh, int port)
    {
        _ssh = ssh;
        Port = port;
    }

    public int Port { get; }

    public static async Task<WorkspaceServer> StartAsync(Gateway gateway)
    {
        var start = new ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in (string[])[.. gateway.Options(), gateway.Destination(), $"exec /usr/bin/python3 -c '{Script.Replace("'", "'\\''")}'"])
        {
            start.ArgumentList.Add(argument);
        }
        var ssh = Process.Start(start)!;
        var line = await ssh.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException($"the workspace server did not start: {await ssh.StandardError.ReadToEndAsync()}");
        return new WorkspaceServer(ssh, int.Parse(line));
    }

    public async ValueTask DisposeAsync()
    {
        _ssh.Kill(entireProcessTree: true);
        await _ssh.WaitForExitAsync();
        _ssh.Dispose();
    }
}
