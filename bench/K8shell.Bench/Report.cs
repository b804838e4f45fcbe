namespace K8shell.Bench;

/// <summary>
/// Where the tables go: the process's standard output. Console.Out itself is pointed at a log file while the bench
/// runs, because the stack's local runner prints every service's log lines there.
/// </summary>
internal static class Report
{
    public static TextWriter Out { get; } = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };

    /// <summary>The services' logs for this run, kept after it for a look at what happened.</summary>
    public static string RedirectConsole()
    {
        var path = Path.Combine(Path.GetTempPath(), "k8shell-bench-stack.log");
        Console.SetOut(new StreamWriter(path, append: false) { AutoFlush = true });
        return path;
    }
}
