using System.Collections.Concurrent;
using K8shell.WorkspaceDaemon.Processes.Native;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// The process sessions (shells, execs, sftp) running now, by SSH connection: what SystemInfo counts
/// and what decides which processes belong to a connection (its agent socket admits only those).
/// </summary>
internal sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<ChildProcess, string> _connectionByProcess = new();

    public int Count => _connectionByProcess.Count;

    /// <summary>Records the session's process until the returned handle is disposed.</summary>
    public IDisposable Add(string connectionId, ChildProcess process)
    {
        _connectionByProcess[process] = connectionId;
        return new Registration(this, process);
    }

    /// <summary>Every session process, of every connection.</summary>
    public IReadOnlyList<ChildProcess> All => [.. _connectionByProcess.Keys];

    /// <summary>The pids of <paramref name="connectionId"/>'s session processes.</summary>
    public IReadOnlyList<int> ProcessesOf(string connectionId) =>
        [.. _connectionByProcess.Where(entry => entry.Value == connectionId).Select(entry => entry.Key.Pid)];

    private sealed class Registration(SessionRegistry registry, ChildProcess process) : IDisposable
    {
        public void Dispose() => registry._connectionByProcess.TryRemove(process, out _);
    }
}
