using System.Runtime.InteropServices;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// As PID 1 (a pod's first process) the daemon inherits every orphan of the workspace and must
/// reap them, or they stay zombies. One thread waits for any child: the daemon's own children get
/// their exact status, the rest are just reaped. Spawning holds <see cref="Spawning"/> so a child
/// that dies at once is still known when its status arrives. Not PID 1, each child is waited for
/// on its own (a global wait would steal other components' children, e.g. System.Diagnostics.Process).
/// </summary>
internal static class ZombieReaper
{
    private static readonly Lock Registry = new();
    private static readonly Dictionary<int, TaskCompletionSource<ProcessExitStatus>> Tracked = [];
    private static readonly SemaphoreSlim ChildSpawned = new(0);
    private static int _started;

    /// <summary>Whether children are reaped here: when this process is PID 1.</summary>
    public static bool Active { get; } = Environment.ProcessId == 1;

    /// <summary>Held while a child is spawned and tracked: the reaper cannot hand out its status in between.</summary>
    public static Lock.Scope Spawning()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            new Thread(ReapForever) { IsBackground = true, Name = "k8shelld reaper" }.Start();
        }
        return Registry.EnterScope();
    }

    /// <summary>The status of <paramref name="pid"/>, spawned under <see cref="Spawning"/>.</summary>
    public static Task<ProcessExitStatus> Track(int pid)
    {
        var exited = new TaskCompletionSource<ProcessExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        Tracked[pid] = exited;
        if (ChildSpawned.CurrentCount == 0)
        {
            ChildSpawned.Release(); // one wake-up is enough, however many children came meanwhile
        }
        return exited.Task;
    }

    private static void ReapForever()
    {
        while (true)
        {
            var pid = LibC.waitpid(-1, out var status, 0);
            if (pid < 0)
            {
                if (Marshal.GetLastPInvokeError() == LibC.ECHILD)
                {
                    // No children at all: nothing can become a zombie until one is spawned.
                    ChildSpawned.Wait();
                }
                continue;
            }
            TaskCompletionSource<ProcessExitStatus>? exited;
            lock (Registry)
            {
                Tracked.Remove(pid, out exited);
            }
            // An orphan of the workspace has no one waiting: reaping it was the point.
            exited?.TrySetResult(ProcessExitStatus.FromWaitStatus(status));
        }
    }
}
