using System.Net.Sockets;

namespace K8shell.Testing;

/// <summary>
/// A real ssh-agent on a socket of its own, started and ready for clients. Ready means it accepted a connection, not
/// that its socket file exists: ssh-agent creates the file at bind() and listens only after it, and an ssh-add in
/// between fails with "Error connecting to agent: Connection refused" (seen on a loaded machine).
/// </summary>
public sealed class SshAgent : IDisposable
{
    private readonly RunningProgram _agent;

    private SshAgent(string socketPath, RunningProgram agent) => (SocketPath, _agent) = (socketPath, agent);

    public string SocketPath { get; }

    /// <summary>The environment that points ssh, ssh-add and their children at this agent.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = SocketPath };

    public static async Task<SshAgent> StartAsync(string socketPath, CancellationToken cancellationToken)
    {
        var agent = new SshAgent(socketPath, Programs.Start("ssh-agent", ["-D", "-a", socketPath]));
        try
        {
            if (!await Eventually.WaitAsync(() => SocketProbe.AcceptsAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken), TimeSpan.FromSeconds(20), cancellationToken))
            {
                throw new InvalidOperationException($"ssh-agent accepted no connection on {socketPath} within 20 s");
            }
            return agent;
        }
        catch
        {
            agent.Dispose();
            throw;
        }
    }

    /// <summary>Gives the agent the private key in <paramref name="keyFile"/> (ssh-add).</summary>
    public Task AddAsync(string keyFile, CancellationToken cancellationToken) =>
        Programs.RunToSuccessAsync("ssh-add", [keyFile], Environment, cancellationToken);

    public void Dispose() => _agent.Dispose();
}
