namespace K8shell.AppHost.Model;

/// <summary><c>WithReference</c> and <c>WaitFor</c>: how resources find and wait for each other, in Aspire's variable names.</summary>
public static class ReferenceExtensions
{
    /// <summary><c>ConnectionStrings__&lt;name&gt;</c>, which <c>GetConnectionString(name)</c> reads.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment($"ConnectionStrings__{source.Resource.Name}", source.Resource);

    /// <summary>
    /// <c>services__&lt;name&gt;__&lt;endpoint&gt;__0</c> for each endpoint of <paramref name="source"/>: the keys
    /// Microsoft.Extensions.ServiceDiscovery resolves <c>http://_grpc.identity</c> from.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment(context =>
        {
            foreach (var endpoint in source.Resource.Annotations.OfType<EndpointAnnotation>())
            {
                context.EnvironmentVariables[$"services__{source.Resource.Name}__{endpoint.Name}__0"] = source.GetEndpoint(endpoint.Name);
            }
        });

    /// <summary>Starts this resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithWaitSupport> dependency)
        where T : IResource =>
        builder.WithAnnotation(new WaitAnnotation(dependency.Resource));

    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name)
        where T : IResourceWithEndpoints =>
        new(builder.Resource, name);
}
