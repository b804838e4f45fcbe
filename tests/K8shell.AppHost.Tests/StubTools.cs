using K8shell.AppHost.Model;

namespace K8shell.AppHost.Tests;

/// <summary>
/// A folder of stand-in command-line tools (kind, docker, podman) that record how they were called; the folder is
/// the whole PATH the code under test sees, so a tool not written here is a tool this machine lacks.
/// </summary>
internal sealed class StubTools : IDisposable
{
    private readonly string _calls;

    public StubTools()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("k8shell-stub-tools-").FullName;
        _calls = Path.Combine(Directory, "calls.log");
    }

    /// <summary>The folder to put on PATH.</summary>
    public string Directory { get; }

    /// <summary>Each call as one line, <c>KIND_EXPERIMENTAL_PROVIDER=... tool arg arg</c>, in the order made.</summary>
    public IReadOnlyList<string> Calls => File.Exists(_calls) ? File.ReadAllLines(_calls) : [];

    /// <summary>
    /// A tool that records its call, prints <paramref name="output"/> and exits with <paramref name="exitCode"/>; with
    /// <paramref name="when"/>, only when called with exactly those arguments (other calls print nothing and succeed).
    /// With <paramref name="blockOn"/>, a call whose first argument is that (<c>run</c>) records itself and then blocks until
    /// signalled, as an attached <c>docker run</c> does (its input is never written).
    /// </summary>
    public void Add(string name, int exitCode = 0, string output = "", string? when = null, string? blockOn = null)
    {
        var path = Path.Combine(Directory, name);
        // Built-ins only: the PATH these run with holds nothing but this folder.
        File.WriteAllText(path, $"""
            #!/bin/sh
            printf '%s\n' "KIND_EXPERIMENTAL_PROVIDER=$KIND_EXPERIMENTAL_PROVIDER {name} $*" >> '{_calls}'
            if [ -n '{blockOn}' ] && [ "$1" = '{blockOn}' ]; then read -r _; exit 0; fi
            if [ -z '{when}' ] || [ "$*" = '{when}' ]; then printf '%s' '{output}'; exit {exitCode}; fi
            exit 0

            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// A local run whose PATH is this folder and whose knobs are unset unless <paramref name="variables"/> set them, so a
    /// developer's own KUBECONFIG or K8SHELL_* never reach the test.
    /// </summary>
    public DistributedApplicationExecutionContext RunContext(string dataDirectory, params (string Name, string? Value)[] variables)
    {
        var environment = new Dictionary<string, string?> { ["PATH"] = Directory, ["KUBECONFIG"] = null, ["K8SHELL_WORKSPACE_BACKEND"] = null, ["K8SHELL_CONTAINER_ENGINE"] = null };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }
        return new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run, null, null, dataDirectory) { EnvironmentOverrides = environment };
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
