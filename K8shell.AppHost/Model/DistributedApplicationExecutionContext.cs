namespace K8shell.AppHost.Model;

/// <summary>Run or publish, and what the command line asked for (Aspire's <c>--publisher</c> and <c>--output-path</c>).</summary>
public sealed record DistributedApplicationExecutionContext(
    DistributedApplicationOperation Operation,
    string? PublisherName,
    string? OutputPath,
    string DataDirectory)
{
    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;

    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;

    /// <summary>
    /// Reads <c>--publisher NAME</c>, <c>--output-path PATH</c> and <c>--operation run|publish</c> (also as <c>--name=value</c>);
    /// a publisher implies publish. <paramref name="dataDirectory"/> is where a local run keeps its state.
    /// </summary>
    public static DistributedApplicationExecutionContext FromArguments(IReadOnlyList<string> args, string dataDirectory)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }
            var (name, value) = args[i].IndexOf('=') is var equals and > 0
                ? (args[i][2..equals], args[i][(equals + 1)..])
                : (args[i][2..], i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value."));
            options[name] = value;
        }
        var publisher = options.GetValueOrDefault("publisher");
        var operation = options.GetValueOrDefault("operation") is { } named
            ? Enum.Parse<DistributedApplicationOperation>(named, ignoreCase: true)
            : publisher is null ? DistributedApplicationOperation.Run : DistributedApplicationOperation.Publish;
        return new(operation, publisher ?? (operation == DistributedApplicationOperation.Publish ? "manifest" : null),
            options.GetValueOrDefault("output-path"), dataDirectory);
    }
}

public enum DistributedApplicationOperation
{
    Run,
    Publish,
}
