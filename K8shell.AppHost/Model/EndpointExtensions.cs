namespace K8shell.AppHost.Model;

/// <summary>Endpoints and health checks.</summary>
public static class EndpointExtensions
{
    /// <summary>
    /// A port the resource listens on. <paramref name="port"/>: fixed for others (locally: the port it listens on);
    /// <paramref name="env"/>: a variable that tells the program its port.
    /// </summary>
    public static IResourceBuilder<T> WithEndpoint<T>(
        this IResourceBuilder<T> builder,
        int? port = null,
        int? targetPort = null,
        string? scheme = null,
        string? name = null,
        string? env = null,
        bool isExternal = false)
        where T : IResourceWithEndpoints
    {
        scheme ??= "tcp";
        return builder.WithAnnotation(new EndpointAnnotation(name ?? scheme, scheme)
        {
            Port = port,
            TargetPort = targetPort,
            IsExternal = isExternal,
            EnvironmentVariable = env,
        });
    }

    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string? name = null, string? env = null)
        where T : IResourceWithEndpoints =>
        builder.WithEndpoint(port, targetPort, "http", name ?? "http", env);

    /// <summary>Changes an endpoint already declared (by the project's Kestrel configuration, say).</summary>
    public static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, string endpointName, Action<EndpointAnnotation> callback)
        where T : IResourceWithEndpoints
    {
        callback(builder.Resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(endpoint => endpoint.Name == endpointName)
            ?? throw new InvalidOperationException($"{builder.Resource.Name} has no endpoint named '{endpointName}'"));
        return builder;
    }

    /// <summary>Serves gRPC on every HTTP endpoint: their transport becomes <c>http2</c>, which deployers need for gRPC ingress.</summary>
    public static IResourceBuilder<T> AsHttp2Service<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>().Where(endpoint => endpoint.IsHttp))
        {
            endpoint.Transport = "http2";
        }
        return builder;
    }

    /// <summary>Every HTTP endpoint reachable from outside the deployment (azd: external ingress), as in Aspire.</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>().Where(endpoint => endpoint.IsHttp))
        {
            endpoint.IsExternal = true;
        }
        return builder;
    }

    /// <summary>Healthy once GET <paramref name="path"/> answers 2xx on the endpoint (default: the one named <c>http</c>).</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string endpointName = "http")
        where T : IResourceWithEndpoints =>
        builder.WithAnnotation(new HttpHealthCheckAnnotation(endpointName, path));
}
