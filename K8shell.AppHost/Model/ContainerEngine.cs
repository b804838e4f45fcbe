using System.Runtime.CompilerServices;

namespace K8shell.AppHost.Model;

/// <summary>
/// The container engine of this machine that answers: docker, else podman (kind's order of preference).
/// <c>K8SHELL_CONTAINER_ENGINE</c> narrows it: <c>docker</c> or <c>podman</c> asks only that one, <c>none</c> acts as
/// if there were none (containers run through their local stand-ins, workspaces as local processes).
/// </summary>
internal sealed record ContainerEngine(string Name, HostCommand Client)
{
    public const string Variable = "K8SHELL_CONTAINER_ENGINE";

    /// <summary>The engines, each with a query only a running engine answers.</summary>
    private static readonly (string Engine, string VersionFormat)[] EngineVersions =
        [("docker", "{{.ServerVersion}}"), ("podman", "{{.Version.Version}}")];

    /// <summary>Each run's answer: the Kind cluster's startup and the containers' plan both ask, and the engine is asked once.</summary>
    private static readonly ConditionalWeakTable<DistributedApplicationExecutionContext, Task<ContainerEngine?>> Detected = [];

    /// <summary>The first engine on the context's PATH that answers <c>info</c>, or null; asked once per execution context.</summary>
    public static Task<ContainerEngine?> DetectAsync(DistributedApplicationExecutionContext context, CancellationToken cancellationToken) =>
        Detected.GetValue(context, _ => AskAsync(context, cancellationToken));

    private static async Task<ContainerEngine?> AskAsync(DistributedApplicationExecutionContext context, CancellationToken cancellationToken)
    {
        var wanted = context.GetEnvironmentVariable(Variable) is { Length: > 0 } named ? named.ToLowerInvariant() : null;
        if (wanted is not (null or "none") && !EngineVersions.Any(engine => engine.Engine == wanted))
        {
            throw new InvalidOperationException($"{Variable}='{wanted}': expected docker, podman or none.");
        }
        var path = context.GetEnvironmentVariable("PATH");
        var environment = new Dictionary<string, string?> { ["PATH"] = path };
        // A client alone is not enough (our build machines have docker's client and no engine): the engine must answer.
        foreach (var (engine, version) in EngineVersions.Where(engine => wanted is null || engine.Engine == wanted))
        {
            if (HostCommand.Find(engine, path, environment) is { } client
                && (await client.RunAsync(["info", "--format", version], cancellationToken)).ExitCode == 0)
            {
                return new ContainerEngine(engine, client);
            }
        }
        return null;
    }
}
