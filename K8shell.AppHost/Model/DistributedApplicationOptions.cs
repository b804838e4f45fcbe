using System.Diagnostics;

namespace K8shell.AppHost.Model;

/// <summary>
/// What a builder is made with: the command line, and what a test host (K8shell.Testing's
/// <c>DistributedApplicationTestingBuilder</c>) changes before the model is built: its own data directory, random
/// ports for every endpoint, knobs set for this app only.
/// </summary>
public sealed class DistributedApplicationOptions(string[] args, string dataDirectory)
{
    public string[] Args { get; } = args;

    /// <summary>Where the local run keeps state (<c>K8SHELL_DATA</c>).</summary>
    public string DataDirectory { get; set; } = dataDirectory;

    /// <summary>Random ports even for endpoints with a fixed one (the SSH port), so runs side by side do not collide.</summary>
    public bool RandomizePorts { get; set; }

    /// <summary>Knobs for this app only, over the process's environment (<c>HOME</c>, <c>K8SHELL_WORKSPACE_BACKEND</c>, ...).</summary>
    public Dictionary<string, string?> EnvironmentOverrides { get; } = [];
}

/// <summary>
/// The events a test host listens to, as Aspire's <c>DiagnosticListener("Aspire.Hosting")</c> has them: it adjusts
/// the options while the builder is made and takes the builder when the AppHost's <c>Main</c> builds it.
/// </summary>
public static class DistributedApplicationDiagnostics
{
    public const string BuilderConstructing = "DistributedApplicationBuilderConstructing";
    public const string Building = "DistributedApplicationBuilding";

    public static DiagnosticListener Listener { get; } = new("K8shell.AppHost");
}
