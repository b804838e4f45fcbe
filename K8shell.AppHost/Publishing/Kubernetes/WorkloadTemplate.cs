using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// A resource's pods: a StatefulSet for what has a connection string (NATS keeps its JetStream data on a
/// volume claim), a Deployment for the rest, as Aspire's Kubernetes publisher decides. Pods run as a
/// non-root user with a read-only root file system, no capabilities and the runtime's seccomp profile;
/// only the workspace manager gets a service-account token.
/// </summary>
internal static class WorkloadTemplate
{
    /// <summary>The <c>app</c> user of .NET's container images (APP_UID); the NATS image has no user of its own, so it gets one.</summary>
    private const int ProjectUser = 1654;
    private const int ContainerUser = 1000;

    public static bool IsStateful(IResource resource) => resource is IResourceWithConnectionString;

    public static JsonObject Build(IResource resource, ContainerEnvironment environment, ChartValues values)
    {
        var stateful = IsStateful(resource);
        var name = resource.Name;
        var spec = new JsonObject
        {
            ["replicas"] = 1,
            ["revisionHistoryLimit"] = 3,
            ["selector"] = new JsonObject { ["matchLabels"] = Map(ChartNames.Selector(name)) },
        };
        if (stateful)
        {
            spec["serviceName"] = name;
        }
        spec["template"] = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = Map(ChartNames.Labels(name)) },
            ["spec"] = PodSpec(resource, environment, values, stateful),
        };
        var volumes = resource.Annotations.OfType<ContainerVolumeAnnotation>().ToList();
        if (stateful && volumes.Count > 0)
        {
            spec["volumeClaimTemplates"] = new JsonArray([.. volumes.Select(volume => VolumeClaim(name, volume, values))]);
        }
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = stateful ? "StatefulSet" : "Deployment",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = Map(ChartNames.Labels(name)) },
            ["spec"] = spec,
        };
    }

    public static JsonObject Map(IReadOnlyDictionary<string, HelmText> entries) =>
        new(entries.Select(entry => KeyValuePair.Create(entry.Key, (JsonNode?)YamlText.Text(entry.Value))));

    private static JsonObject PodSpec(IResource resource, ContainerEnvironment environment, ChartValues values, bool stateful)
    {
        var user = resource is ProjectResource ? ProjectUser : ContainerUser;
        var managesWorkspaces = resource.Name == K8shellCluster.WorkspaceManager;
        var pod = new JsonObject();
        if (managesWorkspaces)
        {
            pod["serviceAccountName"] = ProvisionerAccess.ServiceAccountName;
        }
        pod["automountServiceAccountToken"] = managesWorkspaces;
        pod["enableServiceLinks"] = false;
        pod["securityContext"] = new JsonObject
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = user,
            ["runAsGroup"] = user,
            ["fsGroup"] = user,
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        pod["containers"] = new JsonArray(Container(resource, environment, values));
        var podVolumes = new JsonArray(new JsonObject { ["name"] = "tmp", ["emptyDir"] = new JsonObject() });
        if (environment.KeepsData)
        {
            // Not kept across restarts yet: Identity and Sessions keep records in PostgreSQL when ConnectionStrings:postgres is set.
            podVolumes.Add(new JsonObject { ["name"] = "data", ["emptyDir"] = new JsonObject() });
        }
        if (!stateful)
        {
            foreach (var volume in resource.Annotations.OfType<ContainerVolumeAnnotation>())
            {
                podVolumes.Add(new JsonObject { ["name"] = volume.Name, ["emptyDir"] = new JsonObject() });
            }
        }
        pod["volumes"] = podVolumes;
        return pod;
    }

    private static JsonObject Container(IResource resource, ContainerEnvironment environment, ChartValues values)
    {
        var name = resource.Name;
        var isProject = resource is ProjectResource;
        var image = resource is ContainerResource container ? container.ImageReference : $"{name}:latest";
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        var result = new JsonObject
        {
            ["name"] = name,
            ["image"] = YamlText.Text(values.Parameter(name, "image", image)),
            ["imagePullPolicy"] = "IfNotPresent",
        };
        if (environment.Args.Count > 0)
        {
            result["args"] = new JsonArray([.. environment.Args.Select(YamlText.Text)]);
        }
        var envFrom = new JsonArray();
        if (environment.Config.Count > 0)
        {
            envFrom.Add(new JsonObject { ["configMapRef"] = new JsonObject { ["name"] = ConfigTemplates.ConfigMapName(name) } });
        }
        if (environment.Secrets.Count > 0)
        {
            envFrom.Add(new JsonObject { ["secretRef"] = new JsonObject { ["name"] = ConfigTemplates.SecretName(name) } });
        }
        result["envFrom"] = envFrom;
        result["ports"] = new JsonArray([.. endpoints.Select(endpoint => new JsonObject
        {
            ["name"] = endpoint.Name,
            ["containerPort"] = endpoint.TargetPort ?? endpoint.Port,
            ["protocol"] = "TCP",
        })]);
        foreach (var (probe, path) in Probes(resource))
        {
            result[probe] = path;
        }
        result["resources"] = new JsonObject
        {
            ["requests"] = new JsonObject
            {
                ["cpu"] = YamlText.Text(values.Parameter(name, "cpu_request", isProject ? "100m" : "50m")),
                ["memory"] = YamlText.Text(values.Parameter(name, "memory_request", isProject ? "128Mi" : "64Mi")),
            },
        };
        result["securityContext"] = new JsonObject
        {
            ["allowPrivilegeEscalation"] = false,
            ["readOnlyRootFilesystem"] = true,
            ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
        };
        var mounts = new JsonArray(new JsonObject { ["name"] = "tmp", ["mountPath"] = "/tmp" });
        if (environment.KeepsData)
        {
            mounts.Add(new JsonObject { ["name"] = "data", ["mountPath"] = ContainerEnvironment.DataPath });
        }
        foreach (var volume in resource.Annotations.OfType<ContainerVolumeAnnotation>())
        {
            mounts.Add(new JsonObject { ["name"] = volume.Name, ["mountPath"] = volume.Target, ["readOnly"] = volume.ReadOnly });
        }
        result["volumeMounts"] = mounts;
        return result;
    }

    /// <summary>
    /// Ready when the model's health check passes; alive, for projects, when ServiceDefaults' <c>/alive</c>
    /// answers (a failing dependency makes a pod unready, not restarted); a TCP check for the rest.
    /// </summary>
    private static IEnumerable<(string Probe, JsonObject Check)> Probes(IResource resource)
    {
        foreach (var check in resource.Annotations.OfType<HttpHealthCheckAnnotation>())
        {
            yield return ("readinessProbe", HttpProbe(check.EndpointName, check.Path));
            if (resource is ProjectResource)
            {
                yield return ("livenessProbe", HttpProbe(check.EndpointName, "/alive"));
            }
        }
        foreach (var check in resource.Annotations.OfType<TcpGreetingHealthCheckAnnotation>())
        {
            yield return ("readinessProbe", TcpProbe(check.EndpointName));
            yield return ("livenessProbe", TcpProbe(check.EndpointName));
        }
    }

    private static JsonObject HttpProbe(string port, string path) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = port },
        ["periodSeconds"] = 10,
        ["failureThreshold"] = 3,
    };

    private static JsonObject TcpProbe(string port) => new()
    {
        ["tcpSocket"] = new JsonObject { ["port"] = port },
        ["periodSeconds"] = 10,
        ["failureThreshold"] = 3,
    };

    private static JsonObject VolumeClaim(string resource, ContainerVolumeAnnotation volume, ChartValues values) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = volume.Name, ["labels"] = Map(ChartNames.Labels(resource)) },
        ["spec"] = new JsonObject
        {
            ["accessModes"] = new JsonArray("ReadWriteOnce"),
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["storage"] = YamlText.Text(values.Parameter(resource, $"{volume.Name}_size", "1Gi")) },
            },
        },
    };
}
