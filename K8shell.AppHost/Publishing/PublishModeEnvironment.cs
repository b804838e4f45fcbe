namespace K8shell.AppHost.Publishing;

/// <summary>What every publisher gives a project besides its own environment, as Aspire's publish mode does.</summary>
internal static class PublishModeEnvironment
{
    /// <summary>OTLP retries in memory, and forwarded headers when it serves HTTP (it sits behind an ingress).</summary>
    public static Dictionary<string, object> ProjectDefaults(ProjectResource project)
    {
        var defaults = new Dictionary<string, object> { ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory" };
        if (project.Annotations.OfType<EndpointAnnotation>().Any(endpoint => endpoint.IsHttp))
        {
            defaults["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
        }
        return defaults;
    }
}
