using k8s.Models;
using K8shell.Provisioner.Blueprints;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// The workspace pod (reference §7.5): init container <c>init-base</c> copies k8shelld from the k8shelld
/// image into an emptyDir; <c>k8shell-main</c> runs the blueprint's image with that k8shelld as its
/// command, as root, its configuration from the <c>&lt;id&gt;-k8shelld-config</c> config map; storages,
/// extFiles, probes on 2823, limits from the blueprint.
/// </summary>
internal static class PodManifest
{
    /// <summary>Where k8shelld is copied to (the emptyDir, in the init container) and run from (in the main container).</summary>
    public const string InitBinDirectory = "/k8shell/bin";

    public const string BinDirectory = "/usr/local/k8shell/bin";

    public static string DaemonPath => $"{BinDirectory}/k8shelld";

    private const string BinVolume = "k8shell-bin";
    private const string ConfigVolume = "k8shelld-config";
    private const string FilesVolume = "ext-files";

    public static V1Pod Build(WorkspaceSpec spec, string image, KubernetesBackendOptions options)
    {
        var id = spec.Name;
        var blueprint = spec.Blueprint;
        var resources = new V1ResourceRequirements
        {
            Limits = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new(blueprint.Resources.Cpu),
                ["memory"] = new(blueprint.Resources.Memory),
            },
            // Fixed requests (reference §7.4): a workspace idles most of the time.
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
        };
        var volumes = new List<V1Volume>
        {
            new() { Name = BinVolume, EmptyDir = new V1EmptyDirVolumeSource() },
            new() { Name = ConfigVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = WorkspaceObjectNames.DaemonConfig(id) } },
        };
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = BinVolume, MountPath = BinDirectory, ReadOnlyProperty = true },
            new() { Name = ConfigVolume, MountPath = DaemonConfig.Directory, ReadOnlyProperty = true },
        };
        foreach (var (name, storage) in blueprint.Storages.Where(storage => storage.Value.Enabled))
        {
            volumes.Add(StorageVolume(id, name, storage));
            mounts.Add(new V1VolumeMount { Name = StorageVolumeName(name), MountPath = storage.Path, ReadOnlyProperty = storage.ReadOnly });
        }
        if (blueprint.ExtFiles.Count > 0)
        {
            volumes.Add(new V1Volume { Name = FilesVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = WorkspaceObjectNames.Files(id) } });
            mounts.AddRange(blueprint.ExtFiles.Keys.Select(path =>
                new V1VolumeMount { Name = FilesVolume, MountPath = path, SubPath = WorkspaceObjectNames.FileKey(path), ReadOnlyProperty = true }));
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta { Name = WorkspaceObjectNames.Pod(id) },
            Spec = new V1PodSpec
            {
                RestartPolicy = "OnFailure",
                EnableServiceLinks = false,
                // The workspace has no business with the API server; its owner's credentials come from Identity.
                AutomountServiceAccountToken = false,
                InitContainers =
                [
                    new V1Container
                    {
                        Name = WorkspaceObjectNames.InitContainer,
                        Image = ImageReference.Resolve(options.K8shelldImage, options.DefaultRegistry),
                        ImagePullPolicy = options.K8shelldImagePullPolicy,
                        Command = ["cp", options.K8shelldPath, $"{InitBinDirectory}/k8shelld"],
                        VolumeMounts = [new V1VolumeMount { Name = BinVolume, MountPath = InitBinDirectory }],
                        Resources = resources,
                    },
                ],
                Containers =
                [
                    new V1Container
                    {
                        Name = WorkspaceObjectNames.MainContainer,
                        Image = image,
                        ImagePullPolicy = blueprint.ImagePullPolicy,
                        Command = [DaemonPath],
                        Env = [new V1EnvVar { Name = "K8SHELLD_CONFIG", Value = DaemonConfig.Path }],
                        Ports =
                        [
                            new V1ContainerPort { Name = "grpc-api", ContainerPort = WorkspaceObjectNames.GrpcPort, Protocol = "TCP" },
                            new V1ContainerPort { Name = "health", ContainerPort = WorkspaceObjectNames.HealthPort, Protocol = "TCP" },
                        ],
                        // Ready once the daemon serves and its init scripts ran; restarted when it stops answering.
                        ReadinessProbe = Probe("/health", periodSeconds: 2, failureThreshold: 3),
                        LivenessProbe = Probe("/alive", periodSeconds: 10, failureThreshold: 6),
                        Resources = resources,
                        SecurityContext = SecurityContext(blueprint.SecurityContext),
                        VolumeMounts = mounts,
                    },
                ],
                Volumes = volumes,
            },
        };
    }

    public static string StorageVolumeName(string storage) => $"storage-{storage}";

    /// <summary>The claim a local or shared storage mounts; null for emptyDir and memory.</summary>
    public static string? ClaimName(string id, string name, Storage storage) => storage.Type switch
    {
        "local" => WorkspaceObjectNames.LocalClaim(id, name),
        "shared" => storage.ExistingClaim is { Length: > 0 } existing ? existing : WorkspaceObjectNames.SharedClaim(name, storage.Id),
        _ => null,
    };

    private static V1Volume StorageVolume(string id, string name, Storage storage)
    {
        var volume = new V1Volume { Name = StorageVolumeName(name) };
        if (ClaimName(id, name, storage) is { } claim)
        {
            volume.PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim };
        }
        else
        {
            volume.EmptyDir = new V1EmptyDirVolumeSource
            {
                Medium = storage.Type == "memory" ? "Memory" : null,
                SizeLimit = storage.SizeLimit is { } limit ? new ResourceQuantity(limit) : null,
            };
        }
        return volume;
    }

    private static V1Probe Probe(string path, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = WorkspaceObjectNames.HealthPort, Scheme = "HTTP" },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 2,
    };

    /// <summary>The blueprint's (validated: root, nothing k8shelld needs dropped); root by default, whatever the image's USER.</summary>
    private static V1SecurityContext SecurityContext(SecuritySettings settings)
    {
        var context = new V1SecurityContext
        {
            RunAsUser = settings.RunAsUser ?? 0,
            RunAsGroup = settings.RunAsGroup ?? 0,
            Privileged = settings.Privileged,
        };
        if (settings.AddCapabilities is not null || settings.DropCapabilities is not null)
        {
            context.Capabilities = new V1Capabilities { Add = settings.AddCapabilities?.ToList(), Drop = settings.DropCapabilities?.ToList() };
        }
        return context;
    }
}
