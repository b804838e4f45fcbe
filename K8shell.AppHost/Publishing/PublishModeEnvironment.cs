namespace K8shell.AppHost.Publishing;

/// <summary>A resource's environment as every publisher writes it, with what Aspire's publish mode adds to a project.</summary>
internal static class PublishModeEnvironment
{
    /// <summary>The resource's environment when published, values still unresolved: a project's defaults, then its own variables.</summary>
    public static Dictionary<string, object> Of(IResource resource, DistributedApplicationExecutionContext context)
    {
        var environment = resource is ProjectResource project ? ProjectDefaults(project) : [];
        foreach (var (name, value) in resource.GetEnvironment(context))
        {
            environment[name] = value;
        }
        return environment;
    }

    /// <summary>OTLP retries in memory, and forwarded headers when it serves HTTP (it sits behind an ingress).</summary>
    private static Dictionary<string, object> ProjectDefaults(ProjectResource project)
    {
        var defaults = new Dictionary<string, object> { ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory" };
        if (project.Annotations.OfType<EndpointAnnotation>().Any(endpoint => endpoint.IsHttp))
        {
            defaults["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
        }
        return defaults;
    }
}
