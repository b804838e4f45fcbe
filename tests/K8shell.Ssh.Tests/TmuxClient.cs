using System.Net.Sockets;
using K8shell.Testing;

namespace K8shell.Ssh.Tests;

/// <summary>
/// OpenSSH in a real terminal (<see cref="TmuxTerminal"/>) connecting to a loopback listener on which the test plays
/// the server.
/// </summary>
internal sealed class TmuxClient : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _knownHosts;

    private TmuxClient(TcpListener listener, string knownHosts, TmuxTerminal terminal)
    {
        _listener = listener;
        _knownHosts = knownHosts;
        Terminal = terminal;
    }

    public TmuxTerminal Terminal { get; }

    /// <summary>Starts <c>ssh -tt</c> (a PTY shell, no command) in an 80×24 pane.</summary>
    public static async Task<TmuxClient> StartAsync(string hostKeyLine, string user, IEnumerable<string> options, CancellationToken cancellationToken)
    {
        var (listener, knownHosts, arguments) = OpenSshClient.Prepare(hostKeyLine, options);
        return new TmuxClient(listener, knownHosts, await TmuxTerminal.StartAsync([.. arguments, $"{user}@127.0.0.1"], cancellationToken));
    }

    public Task<Socket> AcceptAsync(CancellationToken cancellationToken) => _listener.AcceptSocketAsync(cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await Terminal.DisposeAsync();
        _listener.Stop();
        _listener.Dispose();
        File.Delete(_knownHosts);
    }
}
