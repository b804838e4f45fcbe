namespace K8shell.AppHost.Model;

/// <summary>The common part of every resource: a name and its annotations.</summary>
public abstract record Resource(string Name) : IResource
{
    public List<IResourceAnnotation> Annotations { get; } = [];
}

/// <summary>A .NET project of this solution; runs from its build output, publishes as <c>project.v0</c>.</summary>
public sealed record ProjectResource(string Name, string ProjectPath)
    : Resource(Name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithServiceDiscovery, IResourceWithWaitSupport;

/// <summary>A program started as is; runs locally only (azd cannot deploy <c>executable.v0</c>, so it is not published).</summary>
public sealed record ExecutableResource(string Name, string Command, string WorkingDirectory)
    : Resource(Name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport;

/// <summary>A container image; publishes as <c>container.v0</c>.</summary>
public record ContainerResource(string Name, string Image, string Tag)
    : Resource(Name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>The full reference a deployer pulls, e.g. <c>docker.io/library/nats:2.12</c>.</summary>
    public string ImageReference => $"{Image}:{Tag}";
}
