using K8shell.Testing;

namespace K8shell.AppHost.Tests;

/// <summary>The built AppHost as a real process, as ./run.sh and azd start it.</summary>
internal static class AppHostProcess
{
    public static ChildProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment) => ChildProcess.Start(
        "apphost",
        "dotnet",
        ["exec", RepositoryPaths.ProjectAssembly("K8shell.AppHost", "K8shell.AppHost"), .. arguments],
        new Dictionary<string, string?>(environment) { ["NO_COLOR"] = "1" });
}
