using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace K8shell.WorkspaceDaemon.Processes.Native;

/// <summary>
/// A child started with posix_spawn in its own session (so it leads its own process group, and a
/// terminal it opens becomes its controlling terminal). Reaped by pid when its pidfd turns readable,
/// so the status is exact, no other child's is taken and no thread waits; as PID 1, by the <see cref="ZombieReaper"/>.
/// </summary>
public sealed class ChildProcess
{
    private readonly Task<ProcessExitStatus> _exited;

    private ChildProcess(int pid, Task<ProcessExitStatus> exited)
    {
        Pid = pid;
        _exited = exited;
    }

    public int Pid { get; }

    public Task<ProcessExitStatus> Exited => _exited;

    /// <summary>
    /// Starts <paramref name="program"/> with exactly <paramref name="environment"/> in
    /// <paramref name="workingDirectory"/>. <paramref name="stdio"/> gives the descriptors for 0, 1 and
    /// 2, or <paramref name="terminalPath"/> names a terminal the child opens as all three.
    /// </summary>
    public static unsafe ChildProcess Start(
        string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory,
        string? terminalPath, IReadOnlyList<int>? stdio)
    {
        var actions = NativeMemory.AllocZeroed(LibC.FileActionsSize);
        var attributes = NativeMemory.AllocZeroed(LibC.SpawnAttributesSize);
        var signals = NativeMemory.AllocZeroed(LibC.SignalSetSize);
        var strings = new List<nint>();
        try
        {
            LibC.posix_spawn_file_actions_init((nint)actions);
            LibC.posix_spawnattr_init((nint)attributes);
            if (terminalPath is not null)
            {
                // After setsid the first terminal opened becomes the controlling one (Linux, no O_NOCTTY).
                Check(LibC.posix_spawn_file_actions_addopen((nint)actions, 0, terminalPath, LibC.O_RDWR, 0), "addopen");
                Check(LibC.posix_spawn_file_actions_adddup2((nint)actions, 0, 1), "adddup2");
                Check(LibC.posix_spawn_file_actions_adddup2((nint)actions, 0, 2), "adddup2");
            }
            else
            {
                for (var target = 0; target < 3; target++)
                {
                    Check(LibC.posix_spawn_file_actions_adddup2((nint)actions, stdio![target], target), "adddup2");
                }
            }
            Check(LibC.posix_spawn_file_actions_addchdir_np((nint)actions, workingDirectory), "addchdir");

            // The runtime blocks and handles signals for itself; the child starts with none blocked and every handler default.
            LibC.sigemptyset((nint)signals);
            LibC.posix_spawnattr_setsigmask((nint)attributes, (nint)signals);
            LibC.sigfillset((nint)signals);
            LibC.posix_spawnattr_setsigdefault((nint)attributes, (nint)signals);
            LibC.posix_spawnattr_setflags((nint)attributes, LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF);

            var argv = NullTerminated([program, .. arguments], strings);
            var envp = NullTerminated([.. environment.Select(pair => $"{pair.Key}={pair.Value}")], strings);
            fixed (nint* argvPointer = argv, envpPointer = envp)
            {
                if (!ZombieReaper.Active)
                {
                    var pid = Spawn(program, (nint)actions, (nint)attributes, argvPointer, envpPointer);
                    return new ChildProcess(pid, WaitForExitAsync(pid));
                }
                using (ZombieReaper.Spawning())
                {
                    var pid = Spawn(program, (nint)actions, (nint)attributes, argvPointer, envpPointer);
                    return new ChildProcess(pid, ZombieReaper.Track(pid));
                }
            }
        }
        finally
        {
            LibC.posix_spawn_file_actions_destroy((nint)actions);
            LibC.posix_spawnattr_destroy((nint)attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            strings.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    private static unsafe int Spawn(string program, nint actions, nint attributes, nint* argv, nint* envp)
    {
        var error = LibC.posix_spawn(out var pid, program, actions, attributes, argv, envp);
        return error == 0 ? pid : throw new IOException($"cannot start {program}: {LibC.ErrorText(error)}");
    }

    /// <summary>Sends <paramref name="signal"/> to the child's whole process group (it leads it: setsid).</summary>
    public bool SignalGroup(int signal) => LibC.kill(-Pid, signal) == 0;

    /// <summary>Asks the group to end with <paramref name="signal"/>; SIGKILL if the child is still there after <paramref name="grace"/>.</summary>
    public async Task StopAsync(int signal, TimeSpan grace)
    {
        SignalGroup(signal);
        if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
        {
            SignalGroup(SignalNames.Kill);
        }
    }

    private static nint[] NullTerminated(IReadOnlyList<string> values, List<nint> allocated)
    {
        var pointers = new nint[values.Count + 1];
        for (var i = 0; i < values.Count; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            allocated.Add(pointers[i]);
        }
        return pointers;
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new IOException($"posix_spawn {what}: {LibC.ErrorText(error)}");
        }
    }

    /// <summary>The child's status, reaped (WNOHANG) each time its pidfd says it may have exited: no thread waits meanwhile.</summary>
    private static async Task<ProcessExitStatus> WaitForExitAsync(int pid)
    {
        var pidfd = LibC.pidfd_open(pid, 0);
        if (pidfd < 0)
        {
            throw new IOException($"pidfd_open {pid}: {LibC.LastErrorText()}");
        }
        using var handle = new SafeFileHandle(pidfd, ownsHandle: true);
        using var exits = DescriptorPoller.Register(pidfd);
        while (true)
        {
            var seen = exits.ReadEvents;
            var reaped = LibC.waitpid(pid, out var status, LibC.WNOHANG);
            if (reaped == pid)
            {
                return ProcessExitStatus.FromWaitStatus(status);
            }
            if (reaped < 0 && Marshal.GetLastPInvokeError() is var errno and not LibC.EINTR)
            {
                throw new IOException($"waitpid {pid}: {LibC.ErrorText(errno)}");
            }
            await exits.WaitReadableAsync(seen, CancellationToken.None);
        }
    }
}
