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

    /// <summary>
    /// Whether this process ignores <paramref name="signal"/> (its SigIgn mask), as a shell's background job ignores
    /// SIGINT: children inherit that, and .NET programs keep it, so they would not stop on it.
    /// </summary>
    public static bool IgnoredHere(int signal)
    {
        var mask = File.ReadLines("/proc/self/status").First(line => line.StartsWith("SigIgn:", StringComparison.Ordinal))["SigIgn:".Length..].Trim();
        return (Convert.ToUInt64(mask, 16) & (1UL << (signal - 1))) != 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
