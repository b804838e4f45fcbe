namespace K8shell.AppHost.Running;

/// <summary>Where the checkout, the build outputs and the tool cache are.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the AppHost itself was built in; services are built alongside it.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name ?? "Debug";

    public static string ProjectAssembly(string projectFolder, string assemblyName) =>
        Path.Combine(Root, projectFolder, "bin", Configuration, "net10.0", assemblyName + ".dll");

    /// <summary>nats-server as scripts/prereqs.sh builds it, else from PATH.</summary>
    public static string NatsServer()
    {
        var cached = Path.Combine(Root, ".tools", "bin", "nats-server");
        if (File.Exists(cached))
        {
            return cached;
        }
        return (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(directory => Path.Combine(directory, "nats-server"))
            .FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("nats-server not found: run scripts/prereqs.sh (./run.sh does it for you).");
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
