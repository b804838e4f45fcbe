namespace K8shell.Testing;

/// <summary>Where things are in the checkout the tests run from.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding <c>K8shell.sln</c>, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: the configuration the tests themselves were built in.</summary>
    public static string Configuration { get; } = FindConfiguration();

    /// <summary>Cache of scripts/prereqs.sh (nats-server lives in its bin/).</summary>
    public static string Tools => Path.Combine(Root, ".tools");

    /// <summary>The built entry assembly of a project in the solution, e.g. (<c>K8shell.WorkspaceDaemon</c>, <c>k8shelld</c>).</summary>
    public static string ProjectAssembly(string projectFolder, string assemblyName) =>
        Path.Combine(Root, projectFolder, "bin", Configuration, "net10.0", assemblyName + ".dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "K8shell.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"K8shell.sln not found above {AppContext.BaseDirectory}");
    }

    private static string FindConfiguration()
    {
        // Test binaries sit in .../bin/<Configuration>/net10.0/.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return framework.Parent?.Name ?? "Debug";
    }
}
