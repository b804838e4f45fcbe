namespace K8shell.AppHost.Running;

/// <summary>
/// Declares the local stack in Aspire's shape: resources, their endpoints, and references that
/// become Aspire's wiring variables (<c>ConnectionStrings__nats</c>, <c>services__identity__grpc__0</c>).
/// </summary>
internal sealed class StackBuilder(string dataDirectory)
{
    private readonly List<ResourceBuilder> _resources = [];

    public string DataDirectory { get; } = dataDirectory;

    /// <summary>nats-server with JetStream, storage under the data directory.</summary>
    public ResourceBuilder AddNats(string name)
    {
        var port = FreePort.Next();
        var storage = Path.Combine(DataDirectory, name);
        var resource = new ResourceBuilder(name, RepositoryLayout.NatsServer(),
            ["-a", "127.0.0.1", "-p", port.ToString(), "-js", "-sd", storage])
        {
            ConnectionString = $"nats://127.0.0.1:{port}",
            ReadyLine = "Server is ready",
        };
        resource.Endpoints["tcp"] = new Uri($"tcp://127.0.0.1:{port}");
        _resources.Add(resource);
        return resource;
    }

    /// <summary>A .NET service of this solution, run from its build output on loopback ports.</summary>
    public ResourceBuilder AddProject(string name, string projectFolder, string? assemblyName = null, bool grpc = false)
    {
        var http = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var assembly = RepositoryLayout.ProjectAssembly(projectFolder, assemblyName ?? projectFolder);
        var resource = new ResourceBuilder(name, "dotnet", ["exec", assembly])
        {
            HealthUrl = new Uri(http, "/health"),
            WorkingDirectory = Path.GetDirectoryName(assembly),
        };
        resource.Endpoints["http"] = http;
        resource.Environment["Kestrel__Endpoints__http__Url"] = http.ToString();
        if (grpc)
        {
            var grpcEndpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            resource.Endpoints["grpc"] = grpcEndpoint;
            resource.Environment["Kestrel__Endpoints__grpc__Url"] = grpcEndpoint.ToString();
        }
        resource.Environment["OTEL_SERVICE_NAME"] = name;
        resource.Environment["DOTNET_ENVIRONMENT"] = "Development";
        resource.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        resource.Environment["Logging__Console__FormatterName"] = "simple";
        resource.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        _resources.Add(resource);
        return resource;
    }

    /// <summary>Resources in declaration order, which references make a dependency order.</summary>
    public IReadOnlyList<Resource> Build() => [.. _resources.Select(resource => resource.ToResource())];
}

internal sealed class ResourceBuilder(string name, string command, IReadOnlyList<string> arguments)
{
    public string Name { get; } = name;

    public Dictionary<string, Uri> Endpoints { get; } = [];

    public Dictionary<string, string> Environment { get; } = [];

    public string? ConnectionString { get; init; }

    public Uri? HealthUrl { get; init; }

    public string? ReadyLine { get; init; }

    public string? WorkingDirectory { get; init; }

    /// <summary>Injects how to reach <paramref name="other"/>: its connection string, or its endpoints for service discovery.</summary>
    public ResourceBuilder WithReference(ResourceBuilder other)
    {
        if (other.ConnectionString is { } connectionString)
        {
            Environment[$"ConnectionStrings__{other.Name}"] = connectionString;
            return this;
        }
        foreach (var (endpoint, url) in other.Endpoints)
        {
            Environment[$"services__{other.Name}__{endpoint}__0"] = url.GetLeftPart(UriPartial.Authority);
        }
        return this;
    }

    /// <summary>
    /// Lets this resource call <paramref name="service"/>: a random token for this run, which the service
    /// allows under <c>&lt;callersSection&gt;:StaticTokens:&lt;this&gt;</c> and this resource sends (<c>Services:&lt;service&gt;:Token</c>).
    /// </summary>
    public ResourceBuilder WithCallerToken(ResourceBuilder service, string callersSection)
    {
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        service.Environment[$"{callersSection.Replace(":", "__")}__StaticTokens__{Name}"] = token;
        Environment[$"Services__{service.Name}__Token"] = token;
        return this;
    }

    public Resource ToResource() => new(Name, command, arguments, Environment, Endpoints, HealthUrl)
    {
        ReadyLine = ReadyLine,
        WorkingDirectory = WorkingDirectory,
    };
}
