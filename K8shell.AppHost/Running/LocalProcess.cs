namespace K8shell.AppHost.Running;

/// <summary>One resource as this machine runs it: a command, its wiring resolved to real values, and what it waits for.</summary>
internal sealed record LocalProcess(
    string Name,
    string Command,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, Uri> Endpoints,
    IReadOnlyList<string> WaitsFor)
{
    /// <summary>Where it runs; a .NET service runs in its build output so its appsettings.json applies.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Answers whether it is healthy now; none means healthy once started, as in Aspire.</summary>
    public HealthProbe? Health { get; init; }

    /// <summary>
    /// A command that stops it before its process is signalled (a container's <c>docker stop</c>: signalling the
    /// client alone could leave the container running); the program first, then its arguments.
    /// </summary>
    public IReadOnlyList<string>? StopCommand { get; init; }
}
