using System.Collections.Concurrent;
using K8shell.WorkspaceDaemon.Agent;
using K8shell.WorkspaceDaemon.Processes.Native;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// The process sessions (shells, execs, sftp) running now, by SSH connection: what SystemInfo counts
/// and what decides which processes belong to a connection (its agent socket admits only those).
/// A session's process runs before it can be recorded, so sessions being started are known too: a
/// process of theirs that connects at once is not taken for a stranger.
/// </summary>
internal sealed class SessionRegistry
{
    /// <summary>How long a process may wait for its session's start to be recorded.</summary>
    private static readonly TimeSpan StartGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<ChildProcess, string> _connectionByProcess = new();
    private readonly Dictionary<string, int> _startingByConnection = [];
    private readonly object _changed = new();

    public int Count => _connectionByProcess.Count;

    /// <summary>Every session process, of every connection.</summary>
    public IReadOnlyList<ChildProcess> All => [.. _connectionByProcess.Keys];

    /// <summary>A session of <paramref name="connectionId"/> is being started; <see cref="SessionStart.Started"/> records its process.</summary>
    public SessionStart BeginStart(string connectionId)
    {
        lock (_changed)
        {
            _startingByConnection[connectionId] = _startingByConnection.GetValueOrDefault(connectionId) + 1;
        }
        return new SessionStart(this, connectionId);
    }

    /// <summary>
    /// Whether <paramref name="pid"/> descends from one of <paramref name="connectionId"/>'s session
    /// processes — waiting, while one of its sessions is being started, for that start to be recorded.
    /// </summary>
    public bool Owns(string connectionId, int pid)
    {
        var deadline = DateTime.UtcNow + StartGrace;
        lock (_changed)
        {
            while (true)
            {
                if (ProcessAncestry.DescendsFromAny(pid, ProcessesOf(connectionId)))
                {
                    return true;
                }
                var remaining = deadline - DateTime.UtcNow;
                if (!_startingByConnection.ContainsKey(connectionId) || remaining <= TimeSpan.Zero)
                {
                    return false;
                }
                Monitor.Wait(_changed, remaining);
            }
        }
    }

    private int[] ProcessesOf(string connectionId) =>
        [.. _connectionByProcess.Where(entry => entry.Value == connectionId).Select(entry => entry.Key.Pid)];

    private void EndStart(string connectionId, ChildProcess? process)
    {
        lock (_changed)
        {
            if (process is not null)
            {
                _connectionByProcess[process] = connectionId;
            }
            if (--_startingByConnection[connectionId] == 0)
            {
                _startingByConnection.Remove(connectionId);
            }
            Monitor.PulseAll(_changed);
        }
    }

    /// <summary>One session's start: ended by <see cref="Started"/> (its process recorded until the returned handle is disposed) or by disposal (it failed).</summary>
    public sealed class SessionStart(SessionRegistry registry, string connectionId) : IDisposable
    {
        private bool _ended;

        public IDisposable Started(ChildProcess process)
        {
            End(process);
            return new Registration(registry, process);
        }

        public void Dispose() => End(null);

        private void End(ChildProcess? process)
        {
            if (!_ended)
            {
                _ended = true;
                registry.EndStart(connectionId, process);
            }
        }
    }

    private sealed class Registration(SessionRegistry registry, ChildProcess process) : IDisposable
    {
        public void Dispose() => registry._connectionByProcess.TryRemove(process, out _);
    }
}
