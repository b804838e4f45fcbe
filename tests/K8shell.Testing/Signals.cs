using System.Diagnostics;
using System.Runtime.InteropServices;

namespace K8shell.Testing;

/// <summary>POSIX signals for child processes: <see cref="Process.Kill()"/> only knows SIGKILL.</summary>
public static partial class Signals
{
    public const int SigTerm = 15;
    public const int SigInt = 2;

    /// <summary>Asks the process to stop the way Kubernetes and Ctrl+C do.</summary>
    public static void Send(Process process, int signal)
    {
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
