using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace K8shell.Provisioner.Process;

/// <summary>
/// A workspace's k8shelld, started by this Provisioner or adopted from an earlier one. It runs in a
/// session of its own (setsid), writes to its log file, and is known by its pid file: pid and start
/// time, so a recycled pid is never mistaken for the daemon after a restart.
/// </summary>
internal sealed partial class DaemonProcess
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    // Kept so the runtime reaps the child when it exits; adopted daemons are someone else's to reap.
    private readonly System.Diagnostics.Process? _child;

    private DaemonProcess(int pid, long startTime, System.Diagnostics.Process? child)
    {
        Pid = pid;
        StartTime = startTime;
        _child = child;
    }

    public int Pid { get; }

    public long StartTime { get; }

    public bool IsAlive => ReadStartTime(Pid) == StartTime;

    /// <summary>
    /// Starts <paramref name="command"/> in a new session with only <paramref name="environment"/>,
    /// output appended to the folder's log, and records it in the pid file.
    /// </summary>
    public static DaemonProcess Launch(WorkspaceFolder folder, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("/bin/sh") { WorkingDirectory = folder.Home, UseShellExecute = false };
        // The shell only redirects and becomes setsid, which becomes the daemon: one pid throughout.
        foreach (var argument in (string[])["-c", "exec setsid \"$@\" >>\"$0\" 2>&1 </dev/null", folder.LogFile, .. command])
        {
            startInfo.ArgumentList.Add(argument);
        }
        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }
        var child = System.Diagnostics.Process.Start(startInfo)!;
        var daemon = new DaemonProcess(child.Id, ReadStartTime(child.Id) ?? 0, child);
        File.WriteAllText(folder.PidFile, $"{daemon.Pid} {daemon.StartTime}\n");
        return daemon;
    }

    /// <summary>The daemon the pid file names, if that process still lives; a stale pid file is removed.</summary>
    public static DaemonProcess? Adopt(WorkspaceFolder folder)
    {
        string[] fields;
        try
        {
            fields = File.ReadAllText(folder.PidFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (Exception failure) when (failure is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (fields is [var pidText, var startText] && int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(startText, CultureInfo.InvariantCulture, out var startTime) && ReadStartTime(pid) == startTime)
        {
            return new DaemonProcess(pid, startTime, child: null);
        }
        File.Delete(folder.PidFile);
        return null;
    }

    /// <summary>SIGTERM (the daemon ends its sessions), SIGKILL after <paramref name="grace"/>; returns once it is gone.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!IsAlive)
        {
            return;
        }
        Kill(Pid, SigTerm);
        if (!await ExitedWithinAsync(grace, cancellationToken))
        {
            Kill(Pid, SigKill);
            await ExitedWithinAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        _child?.Dispose();
    }

    private async Task<bool> ExitedWithinAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (IsAlive)
        {
            if (deadline.Elapsed > limit)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
        return true;
    }

    /// <summary>Field 22 of /proc/PID/stat (clock ticks after boot), or null when the process is gone or a zombie.</summary>
    private static long? ReadStartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[0] == "Z" ? null : long.Parse(fields[19], CultureInfo.InvariantCulture);
    }

    private static void Kill(int pid, int signal) => _ = kill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int kill(int pid, int signal);
}
