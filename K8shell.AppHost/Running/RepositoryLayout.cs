namespace K8shell.AppHost.Running;

/// <summary>Where the checkout, the build outputs and the tool cache are.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the AppHost itself was built in; services are built alongside it.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name ?? "Debug";

    /// <summary>
    /// A service's entry assembly in the ReadyToRun copy its build makes beside its output (Directory.Build.targets: it
    /// starts without JIT-compiling every first call); the AppHost's ProjectReferences build it first.
    /// </summary>
    public static string ProjectAssembly(string projectPath) =>
        Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", Configuration, "net10.0", "ready-to-run", Path.GetFileNameWithoutExtension(projectPath) + ".dll");

    /// <summary>A program as scripts/prereqs.sh caches it in .tools/bin, else from PATH.</summary>
    public static string Tool(string name)
    {
        var cached = Path.Combine(Root, ".tools", "bin", name);
        if (File.Exists(cached))
        {
            return cached;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{name} not found: run scripts/prereqs.sh (./run.sh does it for you).");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "K8shell.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("K8shell.sln not found above the AppHost's build output.");
    }
}
