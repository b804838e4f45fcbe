using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing;

/// <summary>One resource as the manifest has it.</summary>
internal static class ManifestResource
{
    /// <summary>The resource's entry, or null for what deployers cannot take (executables run locally only).</summary>
    public static JsonObject? Write(IResource resource, DistributedApplicationExecutionContext context, string manifestDirectory) => resource switch
    {
        ParameterResource parameter => Parameter(parameter),
        ProjectResource project => WithWiring(new JsonObject
        {
            ["type"] = "project.v0",
            ["path"] = Path.GetRelativePath(manifestDirectory, project.ProjectPath).Replace('\\', '/'),
        }, project, context),
        ContainerResource container => WithWiring(Container(container), container, context),
        _ => null,
    };

    private static JsonObject Container(ContainerResource container)
    {
        var entry = new JsonObject { ["type"] = "container.v0" };
        if (container is IResourceWithConnectionString withConnectionString)
        {
            entry["connectionString"] = withConnectionString.ConnectionStringExpression.ValueExpression;
        }
        entry["image"] = container.ImageReference;
        return entry;
    }

    private static JsonObject WithWiring(JsonObject entry, IResource resource, DistributedApplicationExecutionContext context)
    {
        var args = resource.GetArgs(context);
        if (args.Count > 0)
        {
            entry["args"] = new JsonArray([.. args.Select(arg => JsonValue.Create(ModelValue.Expression(arg)))]);
        }
        var environment = PublishModeEnvironment.Of(resource, context);
        if (environment.Count > 0)
        {
            entry["env"] = new JsonObject(environment.Select(variable => KeyValuePair.Create(variable.Key, (JsonNode?)ModelValue.Expression(variable.Value))));
        }
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        if (endpoints.Count > 0)
        {
            entry["bindings"] = new JsonObject(endpoints.Select(endpoint => KeyValuePair.Create(endpoint.Name, (JsonNode?)Binding(endpoint))));
        }
        var volumes = resource.Annotations.OfType<ContainerVolumeAnnotation>().ToList();
        if (volumes.Count > 0)
        {
            entry["volumes"] = new JsonArray([.. volumes.Select(volume => new JsonObject
            {
                ["name"] = volume.Name,
                ["target"] = volume.Target,
                ["readOnly"] = volume.ReadOnly,
            })]);
        }
        return entry;
    }

    private static JsonObject Binding(EndpointAnnotation endpoint)
    {
        var binding = new JsonObject
        {
            ["scheme"] = endpoint.Scheme,
            ["protocol"] = "tcp",
            ["transport"] = endpoint.Transport,
        };
        if (endpoint.TargetPort is { } targetPort)
        {
            binding["targetPort"] = targetPort;
        }
        // Written only when others use another port than the workload listens on, as Aspire does.
        if (endpoint.Port is { } port && port != endpoint.TargetPort)
        {
            binding["port"] = port;
        }
        if (endpoint.IsExternal)
        {
            binding["external"] = true;
        }
        return binding;
    }

    private static JsonObject Parameter(ParameterResource parameter)
    {
        var input = new JsonObject { ["type"] = "string" };
        if (parameter.Secret)
        {
            input["secret"] = true;
        }
        switch (parameter.Default)
        {
            case ConstantParameterDefault constant:
                input["default"] = new JsonObject { ["value"] = constant.Value };
                break;
            case GenerateParameterDefault generate:
                var options = new JsonObject { ["minLength"] = generate.MinLength };
                // Character classes are allowed unless said otherwise, so only the refusals are written.
                foreach (var (name, allowed) in new[] { ("lower", generate.Lower), ("upper", generate.Upper), ("numeric", generate.Numeric), ("special", generate.Special) })
                {
                    if (!allowed)
                    {
                        options[name] = false;
                    }
                }
                input["default"] = new JsonObject { ["generate"] = options };
                break;
        }
        return new JsonObject
        {
            ["type"] = "parameter.v0",
            ["value"] = $"{{{parameter.Name}.inputs.value}}",
            ["inputs"] = new JsonObject { ["value"] = input },
        };
    }
}
