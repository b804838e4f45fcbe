namespace K8shell.AppHost.Running;

/// <summary>One thing the stack runs: a command, its endpoints, its wiring, and what it waits for.</summary>
internal sealed record Resource(
    string Name,
    string Command,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, Uri> Endpoints,
    Uri? HealthUrl)
{
    /// <summary>A line the process prints once it is ready, for resources without an HTTP health endpoint.</summary>
    public string? ReadyLine { get; init; }

    /// <summary>Where it runs; a .NET service runs in its build output so its appsettings.json applies.</summary>
    public string? WorkingDirectory { get; init; }
}
