namespace K8shell.WorkspaceDaemon.Agent;

/// <summary>Parent chains from /proc: whether a process descends from one of a set of processes.</summary>
internal static class ProcessAncestry
{
    /// <summary>How far up a chain is followed; deeper trees than this are not a shell's.</summary>
    private const int MaxDepth = 64;

    public static bool DescendsFromAny(int pid, IReadOnlyCollection<int> ancestors)
    {
        for (var depth = 0; pid > 1 && depth < MaxDepth; depth++)
        {
            if (ancestors.Contains(pid))
            {
                return true;
            }
            if (ParentOf(pid) is not { } parent)
            {
                return false;
            }
            pid = parent;
        }
        return false;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(line => line.StartsWith("PPid:", StringComparison.Ordinal));
            return line is null ? null : int.Parse(line["PPid:".Length..].Trim());
        }
        catch (IOException)
        {
            return null; // gone meanwhile
        }
    }
}
