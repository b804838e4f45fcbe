using K8shell.AppHost.Running;

namespace K8shell.AppHost;

/// <summary>The environment variables that shape a local run (SPEC.md §11).</summary>
public static class LocalKnobs
{
    /// <summary><c>K8SHELL_DATA</c>: where the local run keeps state and writes endpoints.json (default <c>.k8shell/</c> in the checkout).</summary>
    public static string DataDirectory => Path.GetFullPath(Environment.GetEnvironmentVariable("K8SHELL_DATA") is { Length: > 0 } data
        ? data
        : Path.Combine(RepositoryLayout.Root, ".k8shell"));

    /// <summary><c>K8SHELL_SSH_PORT</c>: the gateway's SSH port on this machine (default 2222).</summary>
    public static int SshPort => int.TryParse(Environment.GetEnvironmentVariable("K8SHELL_SSH_PORT"), out var port) ? port : 2222;
}
