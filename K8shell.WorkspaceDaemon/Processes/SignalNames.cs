namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>
/// Signal names as SSH carries them (RFC 4254 §6.9–6.10: without "SIG"), and Linux's numbers.
/// Names outside the RFC's list use OpenSSH's form, "NAME@openssh.com".
/// </summary>
public static class SignalNames
{
    public const int Hangup = 1;
    public const int Kill = 9;
    public const int Terminate = 15;

    private static readonly Dictionary<string, int> Numbers = new()
    {
        ["ABRT"] = 6, ["ALRM"] = 14, ["FPE"] = 8, ["HUP"] = 1, ["ILL"] = 4, ["INT"] = 2, ["KILL"] = 9,
        ["PIPE"] = 13, ["QUIT"] = 3, ["SEGV"] = 11, ["TERM"] = 15, ["USR1"] = 10, ["USR2"] = 12,
    };

    private static readonly Dictionary<int, string> Extra = new()
    {
        [7] = "BUS", [17] = "CHLD", [18] = "CONT", [19] = "STOP", [20] = "TSTP", [21] = "TTIN", [22] = "TTOU",
        [23] = "URG", [24] = "XCPU", [25] = "XFSZ", [26] = "VTALRM", [27] = "PROF", [28] = "WINCH", [29] = "IO", [31] = "SYS",
    };

    private static readonly Dictionary<int, string> Names = Numbers.ToDictionary(pair => pair.Value, pair => pair.Key);

    /// <summary>The number for an SSH signal name ("TERM", or "SIGTERM"); null for names we do not deliver.</summary>
    public static int? ToNumber(string name)
    {
        var bare = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        return Numbers.TryGetValue(bare, out var number) ? number : null;
    }

    /// <summary>The SSH name for a signal number.</summary>
    public static string ToName(int number) =>
        Names.TryGetValue(number, out var name) ? name
        : Extra.TryGetValue(number, out var extra) ? $"{extra}@openssh.com"
        : $"SIG{number}@openssh.com";
}
