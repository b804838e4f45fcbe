namespace K8shell.AppHost.Model;

/// <summary>Something the app model runs or publishes; everything about it beyond its name is an annotation.</summary>
public interface IResource
{
    /// <summary>The resource's name: its host name for others, its log prefix, its key in the manifest.</summary>
    string Name { get; }

    List<IResourceAnnotation> Annotations { get; }
}

/// <summary>A fact attached to a resource (an endpoint, an environment variable, a wait) that runners and publishers read.</summary>
public interface IResourceAnnotation;

/// <summary>Takes environment variables (projects, executables, containers).</summary>
public interface IResourceWithEnvironment : IResource;

/// <summary>Takes command-line arguments.</summary>
public interface IResourceWithArgs : IResource;

/// <summary>Has endpoints others can reference.</summary>
public interface IResourceWithEndpoints : IResource;

/// <summary>Can be waited for (<c>WaitFor</c>) until it is healthy.</summary>
public interface IResourceWithWaitSupport : IResource;

/// <summary>Referenced through service discovery: <c>services__&lt;name&gt;__&lt;endpoint&gt;__0</c>.</summary>
public interface IResourceWithServiceDiscovery : IResourceWithEndpoints;

/// <summary>Referenced through its connection string: <c>ConnectionStrings__&lt;name&gt;</c>.</summary>
public interface IResourceWithConnectionString : IResource, IManifestExpressionProvider, IValueProvider
{
    ReferenceExpression ConnectionStringExpression { get; }

    string IManifestExpressionProvider.ValueExpression => $"{{{Name}.connectionString}}";

    string IValueProvider.GetValue() => ConnectionStringExpression.GetValue();
}
