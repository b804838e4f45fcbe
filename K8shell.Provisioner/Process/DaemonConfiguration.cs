using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Process;

/// <summary>
/// How a workspace's k8shelld is run locally: its configuration file (the workspace, who may call it,
/// where it listens), its command line, and the few environment variables it gets — none of the
/// Provisioner's own (its credentials stay with it).
/// </summary>
internal static class DaemonConfiguration
{
    /// <summary>The content of <c>k8shelld.json</c>: gRPC on the chosen loopback port, the HTTP health endpoint on any free one (the Provisioner asks gRPC health).</summary>
    public static string For(WorkspaceSpec spec, WorkspaceFolder folder, int port, ProcessBackendOptions options) =>
        DaemonConfigFile.Render(spec, spec.Blueprint.Image,
            // Local workspaces are the developer's own processes: they run as whoever runs the Provisioner, in the
            // owner's shell when this machine has it, otherwise the account's own.
            new DaemonAccount(System.Environment.UserName, folder.Home, File.Exists(spec.Owner.Shell) ? spec.Owner.Shell : ""),
            options.JwksUrl?.ToString() ?? throw new InvalidOperationException($"{ProcessBackendOptions.Section}:JwksUrl is not set"),
            options.Issuer ?? "", $"http://127.0.0.1:{port}", "http://127.0.0.1:0");

    /// <summary>The daemon's command: an entry assembly runs with the dotnet host that runs this Provisioner.</summary>
    public static IReadOnlyList<string> Command(ProcessBackendOptions options)
    {
        var daemon = options.Daemon is { Length: > 0 } configured ? configured : ProcessBackendOptions.BuiltDaemon
            ?? throw new InvalidOperationException($"{ProcessBackendOptions.Section}:Daemon is not set and this build records no k8shelld");
        // Its content root is its own folder (appsettings.json: endpoint protocols, log levels), wherever it runs.
        string[] contentRoot = ["--contentRoot", Path.GetDirectoryName(Path.GetFullPath(daemon))!];
        return daemon.EndsWith(".dll", StringComparison.Ordinal) ? [DotnetHost, "exec", daemon, .. contentRoot] : [daemon, .. contentRoot];
    }

    /// <summary>What the daemon inherits: where programs and the runtime are, the language, telemetry, and its configuration file.</summary>
    public static IReadOnlyDictionary<string, string> Environment(WorkspaceFolder folder)
    {
        var environment = new Dictionary<string, string> { ["K8SHELLD_CONFIG"] = folder.DaemonConfigFile };
        foreach (var (name, value) in System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(entry => ((string)entry.Key, (string?)entry.Value ?? "")))
        {
            if (name is "PATH" or "LANG" or "LC_ALL" or "TZ" or "USER" or "LOGNAME" or "HOME" || name.StartsWith("DOTNET_", StringComparison.Ordinal)
                || name.StartsWith("OTEL_", StringComparison.Ordinal))
            {
                environment[name] = value;
            }
        }
        environment["OTEL_SERVICE_NAME"] = "k8shelld";
        return environment;
    }

    private static string DotnetHost =>
        System.Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : "dotnet";
}
