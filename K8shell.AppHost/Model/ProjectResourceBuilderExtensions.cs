using System.Text.Json;

namespace K8shell.AppHost.Model;

/// <summary><c>AddProject&lt;Projects.X&gt;</c>: a .NET project of this solution.</summary>
public static class ProjectResourceBuilderExtensions
{
    /// <summary>
    /// The project, with one endpoint per Kestrel endpoint its <c>appsettings.json</c> names (as Aspire does):
    /// same name, the configured port as target port, <c>http2</c> where Kestrel serves HTTP/2 only (gRPC).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var project = builder.AddResource(new ProjectResource(name, new TProject().ProjectPath));
        foreach (var endpoint in KestrelEndpoints(Path.Combine(Path.GetDirectoryName(project.Resource.ProjectPath)!, "appsettings.json")))
        {
            project.WithAnnotation(endpoint);
        }
        return project;
    }

    private static IEnumerable<EndpointAnnotation> KestrelEndpoints(string appSettings)
    {
        if (!File.Exists(appSettings))
        {
            yield break;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(appSettings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!document.RootElement.TryGetProperty("Kestrel", out var kestrel) || !kestrel.TryGetProperty("Endpoints", out var endpoints))
        {
            yield break;
        }
        var defaultProtocols = kestrel.TryGetProperty("EndpointDefaults", out var defaults) && defaults.TryGetProperty("Protocols", out var protocols)
            ? protocols.GetString()
            : null;
        foreach (var endpoint in endpoints.EnumerateObject())
        {
            // "http://*:9020": the host part may be a wildcard Uri refuses, so take scheme and port by hand.
            var url = endpoint.Value.GetProperty("Url").GetString() ?? "";
            var scheme = url.Split("://")[0];
            int? port = int.TryParse(url[(url.LastIndexOf(':') + 1)..].TrimEnd('/'), out var parsed) ? parsed : null;
            var protocol = endpoint.Value.TryGetProperty("Protocols", out var own) ? own.GetString() : defaultProtocols;
            yield return new EndpointAnnotation(endpoint.Name, scheme)
            {
                Transport = protocol == "Http2" ? "http2" : "http",
                TargetPort = port,
            };
        }
    }
}
