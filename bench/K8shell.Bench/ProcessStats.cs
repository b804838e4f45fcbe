using System.Globalization;

namespace K8shell.Bench;

/// <summary>What /proc says of processes: proportional memory (shared pages split among sharers) and CPU time.</summary>
internal static class ProcessStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary><paramref name="root"/> and every process under it whose name is <paramref name="name"/> (sshd's per-connection processes, not the shells).</summary>
    public static IReadOnlyList<int> TreeNamed(int root, string name)
    {
        var parents = AllProcessIds().Select(pid => (Pid: pid, Stat: Stat(pid))).Where(entry => entry.Stat is not null)
            .ToDictionary(entry => entry.Pid, entry => (Parent: int.Parse(entry.Stat![1], CultureInfo.InvariantCulture), Name: entry.Stat[^1]));
        bool Under(int pid) => pid == root || (parents.TryGetValue(pid, out var entry) && entry.Parent > 1 && Under(entry.Parent));
        return [.. parents.Where(entry => entry.Value.Name == name && Under(entry.Key)).Select(entry => entry.Key)];
    }

    /// <summary>Proportional set size in bytes (0 for a process gone meanwhile).</summary>
    public static long Pss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(line => line.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static long Pss(IEnumerable<int> pids) => pids.Sum(pid => Pss(pid));

    /// <summary>User plus system CPU time the process has used (utime, stime).</summary>
    public static TimeSpan CpuTime(int pid) => SumOfTicks(pid, 11..13);

    public static TimeSpan CpuTime(IEnumerable<int> pids) => pids.Aggregate(TimeSpan.Zero, (total, pid) => total + CpuTime(pid));

    /// <summary>As <see cref="CpuTime(int)"/>, plus the CPU time of the children each process has waited for (cutime, cstime).</summary>
    public static TimeSpan CpuTimeWithReapedChildren(IEnumerable<int> pids) => pids.Aggregate(TimeSpan.Zero, (total, pid) => total + SumOfTicks(pid, 11..15));

    /// <summary>The CPU times in <paramref name="fields"/> of /proc/pid/stat; zero for a process gone meanwhile.</summary>
    private static TimeSpan SumOfTicks(int pid, Range fields) => Stat(pid) is { } stat
        ? TimeSpan.FromSeconds(stat[fields].Sum(ticks => long.Parse(ticks, CultureInfo.InvariantCulture)) / TicksPerSecond)
        : TimeSpan.Zero;

    private static IEnumerable<int> AllProcessIds() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(name => int.Parse(name!, CultureInfo.InvariantCulture));

    /// <summary>/proc/pid/stat's fields after the name (state first: index 0), with the name last; null when the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var open = text.IndexOf('(');
            var close = text.LastIndexOf(')');
            return [.. text[(close + 2)..].Split(' '), text[(open + 1)..close]];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
