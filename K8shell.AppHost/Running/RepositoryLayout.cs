using System.Reflection;

namespace K8shell.AppHost.Running;

/// <summary>Where the checkout, the build outputs and the tool cache are.</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// Where a service's build puts its ReadyToRun copy, relative to its project, in the configuration the AppHost was
    /// built in (Directory.Build.targets' <c>ReadyToRunSubdirectory</c>, recorded in this assembly by its project).
    /// </summary>
    private static readonly string ReadyToRunSubdirectory = typeof(RepositoryLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == nameof(ReadyToRunSubdirectory)).Value!;

    /// <summary>
    /// A service's entry assembly in the ReadyToRun copy its build makes beside its output (it starts without
    /// JIT-compiling every first call); the AppHost's ProjectReferences build it first.
    /// </summary>
    public static string ProjectAssembly(string projectPath) =>
        Path.Combine(Path.GetDirectoryName(projectPath)!, ReadyToRunSubdirectory, Path.GetFileNameWithoutExtension(projectPath) + ".dll");

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
