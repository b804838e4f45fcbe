using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Every object a workspace is made of, as it should be, and the SHA-256 of what its pod runs (the pod
/// spec and the config maps it reads at start, not the job ID): the <c>k8shell.io/manifest-hash</c> that
/// tells an unchanged pod, kept on a second apply, from a changed one, which must be recreated.
/// </summary>
internal sealed record WorkspaceManifest(
    string Name,
    V1Pod Pod,
    V1Service Service,
    IReadOnlyList<V1ConfigMap> ConfigMaps,
    IReadOnlyList<V1PersistentVolumeClaim> LocalClaims,
    IReadOnlyList<V1PersistentVolumeClaim> SharedClaims,
    IReadOnlyList<string> ExistingClaims,
    V1NetworkPolicy NetworkPolicy,
    string Hash)
{
    /// <summary>Label on shared claims: the storage they hold (they carry no canonical ID, so no delete takes them).</summary>
    public const string SharedStorageLabel = WorkspaceLabels.Prefix + "shared-storage";

    public static WorkspaceManifest Build(WorkspaceSpec spec, KubernetesBackendOptions options)
    {
        var id = spec.Name;
        var image = ImageReference.Resolve(spec.Blueprint.Image, options.DefaultRegistry);
        var labels = WorkspaceMetadata.Labels(spec);

        var configMaps = new List<V1ConfigMap>
        {
            new()
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta { Name = WorkspaceObjectNames.DaemonConfig(id), Labels = labels, Annotations = WorkspaceMetadata.Annotations(spec) },
                Data = new Dictionary<string, string> { [DaemonConfig.FileName] = DaemonConfig.Render(spec, image, options) },
            },
        };
        if (spec.Blueprint.ExtFiles.Count > 0)
        {
            configMaps.Add(new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta { Name = WorkspaceObjectNames.Files(id), Labels = labels },
                Data = spec.Blueprint.ExtFiles.ToDictionary(file => WorkspaceObjectNames.FileKey(file.Key), file => file.Value),
            });
        }

        var localClaims = new List<V1PersistentVolumeClaim>();
        var sharedClaims = new List<V1PersistentVolumeClaim>();
        var existingClaims = new List<string>();
        foreach (var (name, storage) in spec.Blueprint.Storages.Where(storage => storage.Value.Enabled))
        {
            if (storage.Type == "local")
            {
                localClaims.Add(Claim(WorkspaceObjectNames.LocalClaim(id, name), labels, "ReadWriteOnce", options));
            }
            else if (storage.Type == "shared" && storage.ExistingClaim is { Length: > 0 } existing)
            {
                existingClaims.Add(existing);
            }
            else if (storage.Type == "shared")
            {
                var shared = new Dictionary<string, string> { [WorkspaceLabels.ManagedBy] = WorkspaceLabels.ManagedByValue, [SharedStorageLabel] = LabelValue.Of(name) };
                sharedClaims.Add(Claim(WorkspaceObjectNames.SharedClaim(name, storage.Id), shared, "ReadWriteMany", options));
            }
        }

        var pod = PodManifest.Build(spec, image, options);
        pod.Metadata.Labels = new Dictionary<string, string>(labels)
        {
            [WorkspaceLabels.NetworkPolicy] = spec.Blueprint.Network.PolicyClass,
            [WorkspaceLabels.K8shelldVersion] = LabelValue.Of(ImageReference.Tag(options.K8shelldImage)),
        };
        pod.Metadata.Annotations = WorkspaceMetadata.Annotations(spec);
        var hash = HashOf(pod, configMaps);
        pod.Metadata.Labels[WorkspaceLabels.JobId] = LabelValue.Of(spec.JobId);
        pod.Metadata.Annotations[WorkspaceLabels.ManifestHash] = hash;

        var service = new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = WorkspaceObjectNames.Service(id), Labels = labels },
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = new Dictionary<string, string> { [WorkspaceLabels.CanonicalId] = id },
                Ports = [new V1ServicePort { Name = "grpc-api", Port = WorkspaceObjectNames.GrpcPort, TargetPort = WorkspaceObjectNames.GrpcPort, Protocol = "TCP" }],
            },
        };

        return new WorkspaceManifest(id, pod, service, configMaps, localClaims, sharedClaims, existingClaims,
            NetworkPolicyManifest.Build(spec, labels, options), hash);
    }

    private static V1PersistentVolumeClaim Claim(string name, IDictionary<string, string> labels, string accessMode, KubernetesBackendOptions options) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = [accessMode],
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(options.StorageSize) } },
            StorageClassName = options.StorageClassName,
        },
    };

    private static string HashOf(V1Pod pod, IEnumerable<V1ConfigMap> configMaps)
    {
        var text = new StringBuilder(KubernetesJson.Serialize(pod));
        foreach (var map in configMaps)
        {
            text.Append('\n').Append(KubernetesJson.Serialize(map.Data));
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
