using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using k8s.Models;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Workspaces;
using K8shell.UserStrings;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// A workspace as the API answers it (<see cref="Workspace"/>), from its pod, or, for a stopped one
/// (no pod, but its config map, claims or Service), from what is left. Exact names come from the
/// annotations (the user string, the organization), the splash from k8shelld's config map.
/// </summary>
internal static class WorkspaceDescription
{
    public static Workspace OfPod(V1Pod pod, V1ConfigMap? config, KubernetesBackendOptions options)
    {
        var workspace = Common(pod.Metadata, config, options);
        var stage = PodStage.Of(pod, pulling: null);
        workspace.WorkspaceStatus = new WorkspaceState
        {
            Created = Created(pod.Metadata),
            Status = stage.Status,
            Message = stage.Message,
            Restarts = (uint)(pod.Status?.ContainerStatuses ?? []).Sum(status => status.RestartCount),
            LastFailMessage = PodStage.LastFailure(pod) ?? "",
        };
        workspace.PodIp = pod.Status?.PodIP ?? "";
        workspace.Hostname = pod.Spec?.Hostname is { Length: > 0 } hostname ? hostname : pod.Metadata.Name;
        workspace.JobId = Label(pod.Metadata, WorkspaceLabels.JobId);
        workspace.AppVersion = Label(pod.Metadata, WorkspaceLabels.K8shelldVersion);
        var limits = pod.Spec?.Containers?.FirstOrDefault(c => c.Name == WorkspaceObjectNames.MainContainer)?.Resources?.Limits;
        workspace.Cpu = limits?.TryGetValue("cpu", out var cpu) == true ? cpu.ToString() : "";
        workspace.Memory = limits?.TryGetValue("memory", out var memory) == true ? memory.ToString() : "";
        return workspace;
    }

    /// <summary>A workspace without a pod: stopped, home and storage kept. <paramref name="metadata"/> is its config map's, or any object's of it.</summary>
    public static Workspace Stopped(V1ObjectMeta metadata, V1ConfigMap? config, KubernetesBackendOptions options)
    {
        var workspace = Common(metadata, config, options);
        workspace.WorkspaceStatus = new WorkspaceState
        {
            Created = Created(metadata),
            Status = WorkspaceStatus.Stopped,
            Message = "stopped: no pod; home and storage kept",
        };
        workspace.Hostname = workspace.Name;
        return workspace;
    }

    private static Workspace Common(V1ObjectMeta metadata, V1ConfigMap? config, KubernetesBackendOptions options)
    {
        var id = Label(metadata, WorkspaceLabels.CanonicalId);
        var annotations = metadata.Annotations ?? config?.Metadata.Annotations;
        var userString = UserStringOf(annotations);
        return new Workspace
        {
            Name = id,
            Username = userString?.Username ?? Label(metadata, WorkspaceLabels.Username),
            Organization = annotations?.TryGetValue(WorkspaceLabels.Identity, out var organization) == true ? organization : Label(metadata, WorkspaceLabels.Organization),
            Blueprint = Label(metadata, WorkspaceLabels.Blueprint),
            Userstr = userString?.Canonical ?? "",
            Namespace = options.Namespace,
            ServerName = WorkspaceObjectNames.ServerName(id, options.Namespace, options.ClusterDomain),
            Port = WorkspaceObjectNames.GrpcPort,
            Backend = KubernetesBackend.BackendName,
            WorkspaceType = "standalone",
            Splash = SplashOf(config),
        }.WithOrigin(userString);
    }

    private static UserString? UserStringOf(IDictionary<string, string>? annotations)
    {
        if (annotations?.TryGetValue(WorkspaceLabels.UserStr, out var encoded) != true)
        {
            return null;
        }
        try
        {
            var canonical = Encoding.UTF8.GetString(Convert.FromBase64String(encoded!));
            return UserStringParser.TryParse(canonical, out var userString, out _) ? userString : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string SplashOf(V1ConfigMap? config)
    {
        if (config?.Data?.TryGetValue(DaemonConfig.FileName, out var json) != true)
        {
            return "";
        }
        try
        {
            return JsonNode.Parse(json!)?["Workspace"]?["Splash"]?.GetValue<string>() ?? "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }

    private static string Label(V1ObjectMeta metadata, string key) =>
        metadata.Labels?.TryGetValue(key, out var value) == true ? value : "";

    private static Timestamp? Created(V1ObjectMeta metadata) =>
        metadata.CreationTimestamp is { } created ? Timestamp.FromDateTime(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null;
}
