using System.Collections.Concurrent;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// The process sessions (shells, execs, sftp) running now, by SSH connection: what SystemInfo counts
/// and what decides which processes belong to a connection (its agent socket admits only those).
/// </summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<int, string> _connectionByPid = new();

    public int Count => _connectionByPid.Count;

    /// <summary>Records the session's process until the returned handle is disposed.</summary>
    public IDisposable Add(string connectionId, int pid)
    {
        _connectionByPid[pid] = connectionId;
        return new Registration(this, pid);
    }

    /// <summary>Every session process, of every connection.</summary>
    public IReadOnlyList<int> AllProcesses => [.. _connectionByPid.Keys];

    /// <summary>The session processes of <paramref name="connectionId"/>.</summary>
    public IReadOnlyList<int> ProcessesOf(string connectionId) =>
        [.. _connectionByPid.Where(entry => entry.Value == connectionId).Select(entry => entry.Key)];

    private sealed class Registration(SessionRegistry registry, int pid) : IDisposable
    {
        public void Dispose() => registry._connectionByPid.TryRemove(pid, out _);
    }
}
