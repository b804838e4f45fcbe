using System.Reflection;

namespace K8shell.Provisioner.Process;

/// <summary>Section <c>Provisioner:Process</c>: workspaces as local k8shelld processes (the embedded default).</summary>
public sealed class ProcessBackendOptions
{
    public const string Section = "Provisioner:Process";

    /// <summary>State, relative to the content root; workspaces live in <c>&lt;DataDirectory&gt;/workspaces/&lt;canonical-id&gt;/</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// k8shelld's entry assembly (<c>k8shelld.dll</c>, run with the dotnet host) or executable. Default: the
    /// daemon built beside this Provisioner in the repository, its ReadyToRun copy (recorded at build time).
    /// </summary>
    public string? Daemon { get; set; }

    /// <summary>Identity's JWKS, which the daemons verify callers' tokens with. Default: <c>services:identity:http:0</c> + <c>/.well-known/jwks.json</c>.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>The issuer the daemons expect in tokens (Identity's <c>Identity:Tokens:Issuer</c>); any when empty.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// Whether the daemons outlive a graceful stop of the Provisioner (a later start re-adopts them).
    /// Off by default: stopping the local stack stops its workspaces and leaves no process behind.
    /// </summary>
    public bool KeepRunningOnShutdown { get; set; }

    /// <summary>How long a stopping daemon may take to end its sessions before it is killed.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The daemon built with this repository, from the assembly metadata the project file records.</summary>
    public static string? BuiltDaemon => typeof(ProcessBackendOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(attribute => attribute.Key == "K8shelldPath")?.Value;
}
