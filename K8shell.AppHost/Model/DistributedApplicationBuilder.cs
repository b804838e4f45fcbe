namespace K8shell.AppHost.Model;

/// <summary>Collects the resources of the app; <see cref="Build"/> makes the app that runs or publishes them.</summary>
public interface IDistributedApplicationBuilder
{
    DistributedApplicationExecutionContext ExecutionContext { get; }

    IReadOnlyList<IResource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    DistributedApplication Build();
}

internal sealed partial class DistributedApplicationBuilder(DistributedApplicationExecutionContext executionContext) : IDistributedApplicationBuilder
{
    private readonly List<IResource> _resources = [];

    public DistributedApplicationExecutionContext ExecutionContext { get; } = executionContext;

    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        if (!ModelName().IsMatch(resource.Name) || resource.Name.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{resource.Name}' is no valid resource name: 1-64 ASCII letters, digits and single hyphens, starting with a letter.");
        }
        if (_resources.Any(existing => existing.Name.Equals(resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"A resource named '{resource.Name}' already exists.");
        }
        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public DistributedApplication Build() => new([.. _resources], ExecutionContext);

    // Aspire's ModelName rules: the name is a host name and a Kubernetes object prefix.
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex ModelName();
}
