namespace K8shell.AppHost.Running;

/// <summary>
/// Turns the model into local processes: every endpoint gets a loopback port (fixed if declared, else random),
/// then each resource's environment and arguments are resolved to real values, plus what Aspire's run mode
/// gives a .NET project (Kestrel URLs, <c>OTEL_*</c>, Development).
/// </summary>
internal static class LocalPlan
{
    /// <summary>The processes to start; containers through <paramref name="engine"/>, or their local stand-ins without one.</summary>
    public static IReadOnlyList<LocalProcess> Create(DistributedApplication app, ContainerEngine? engine)
    {
        // Parameters are values and clusters are prepared before the start: only these become processes.
        var runnable = app.Resources.Where(resource => resource is ProjectResource or ExecutableResource or ContainerResource).ToList();
        foreach (var endpoint in runnable.SelectMany(resource => resource.Annotations.OfType<EndpointAnnotation>()))
        {
            endpoint.Allocated = new AllocatedEndpoint(endpoint.Scheme, "127.0.0.1", (app.ExecutionContext.RandomizePorts ? null : endpoint.Port) ?? FreePort.Next());
        }
        return [.. runnable.Select(resource => Plan(resource, app.ExecutionContext, engine))];
    }

    /// <summary>One resource whose endpoints <see cref="Create"/> allocated: its environment and arguments resolved now.</summary>
    public static LocalProcess Plan(IResource resource, DistributedApplicationExecutionContext context, ContainerEngine? engine)
    {
        var inEngine = resource is ContainerResource && engine is not null;
        var environment = new Dictionary<string, string>();
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        if (resource is ProjectResource)
        {
            AddProjectDefaults(resource, endpoints, environment);
        }
        foreach (var endpoint in endpoints.Where(endpoint => endpoint.EnvironmentVariable is not null))
        {
            // In a container, the port it listens on is the container's, which the engine publishes on the allocated one.
            var port = inEngine ? ContainerRun.ContainerPort(endpoint) : endpoint.Allocated!.Port;
            environment[endpoint.EnvironmentVariable!] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (var (name, value) in resource.GetEnvironment(context))
        {
            environment[name] = ModelValue.Resolve(value);
        }
        if (inEngine)
        {
            var (run, stop) = ContainerRun.Command((ContainerResource)resource, environment.Keys, resource.GetArgs(context).Select(ModelValue.Resolve));
            return Process(engine!.Client.Path, run, null) with { StopCommand = [engine.Client.Path, .. stop] };
        }
        var (command, arguments, workingDirectory) = Command(resource, context);
        return Process(command, arguments, workingDirectory);

        LocalProcess Process(string command, IReadOnlyList<string> arguments, string? workingDirectory) => new(
            resource.Name,
            command,
            arguments,
            environment,
            endpoints.ToDictionary(endpoint => endpoint.Name, endpoint => new Uri(endpoint.Allocated!.Url)),
            [.. resource.Annotations.OfType<WaitAnnotation>().Select(wait => wait.Resource.Name)])
        {
            WorkingDirectory = workingDirectory,
            Health = Health(resource, endpoints),
        };
    }

    private static (string Command, IReadOnlyList<string> Arguments, string? WorkingDirectory) Command(IResource resource, DistributedApplicationExecutionContext context)
    {
        var args = resource.GetArgs(context).Select(ModelValue.Resolve);
        switch (resource)
        {
            case ProjectResource project:
                var assembly = RepositoryLayout.ProjectAssembly(project.ProjectPath);
                if (!File.Exists(assembly))
                {
                    throw new FileNotFoundException($"{project.Name}: {assembly} is not built; `dotnet run --project K8shell.AppHost` builds it.");
                }
                return ("dotnet", ["exec", assembly, .. args], Path.GetDirectoryName(assembly));
            case ExecutableResource executable:
                return (executable.Command, [.. args], executable.WorkingDirectory);
            case ContainerResource container when container.Annotations.OfType<LocalProcessAnnotation>().FirstOrDefault() is { } local:
                // No container engine answers (none runs on our build machines): the container's local stand-in runs instead.
                return (RepositoryLayout.Tool(local.Command), [.. local.Arguments(new LocalProcessContext(container, context.DataDirectory))], null);
            case ContainerResource container:
                throw new NotSupportedException($"{container.Name}: running a container ({container.ImageReference}) needs a container engine (docker or podman) that answers, and none does.");
            default:
                throw new NotSupportedException($"{resource.Name}: don't know how to run a {resource.GetType().Name}.");
        }
    }

    private static void AddProjectDefaults(IResource project, List<EndpointAnnotation> endpoints, Dictionary<string, string> environment)
    {
        foreach (var endpoint in endpoints.Where(endpoint => endpoint.IsHttp))
        {
            environment[$"Kestrel__Endpoints__{endpoint.Name}__Url"] = endpoint.Allocated!.Url + "/";
        }
        environment["OTEL_SERVICE_NAME"] = project.Name;
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={project.Name}-{Guid.NewGuid().ToString("N")[..8]}";
        environment["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
        // Development: telemetry leaves within a second, so a collector (OTEL_EXPORTER_OTLP_ENDPOINT, inherited) shows it at once.
        environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        environment["DOTNET_ENVIRONMENT"] = "Development";
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["Logging__Console__FormatterName"] = "simple";
        environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
    }

    private static HealthProbe? Health(IResource resource, List<EndpointAnnotation> endpoints)
    {
        Uri Address(string endpointName) => new((endpoints.SingleOrDefault(endpoint => endpoint.Name == endpointName)
            ?? throw new InvalidOperationException($"{resource.Name}'s health check names endpoint '{endpointName}', which it does not have")).Allocated!.Url);

        return resource.Annotations.OfType<IResourceAnnotation>().FirstOrDefault(annotation =>
                annotation is HttpHealthCheckAnnotation or TcpGreetingHealthCheckAnnotation) switch
        {
            HttpHealthCheckAnnotation http => HealthProbes.Http(new Uri(Address(http.EndpointName), http.Path)),
            TcpGreetingHealthCheckAnnotation tcp => HealthProbes.TcpGreeting(Address(tcp.EndpointName), tcp.Greeting),
            _ => null,
        };
    }
}
