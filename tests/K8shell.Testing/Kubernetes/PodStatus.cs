using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>A container of a pod's spec: where its status and events go, and how its image is pulled.</summary>
internal sealed record ContainerRef(string Name, string Image, bool Init, string? PullPolicy)
{
    public string FieldPath => Init ? $"spec.initContainers{{{Name}}}" : $"spec.containers{{{Name}}}";

    public string StatusList => Init ? "initContainerStatuses" : "containerStatuses";

    public static IReadOnlyList<ContainerRef> Of(JsonObject pod, bool init) =>
        (pod["spec"]?[init ? "initContainers" : "containers"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(container => new ContainerRef(container.Text("name") ?? "", container.Text("image") ?? "", init, container.Text("imagePullPolicy")))
            .ToList();
}

/// <summary>Edits of a pod's status the way the kubelet writes it: conditions, container states, phase.</summary>
internal static class PodStatus
{
    public static JsonObject Status(this JsonObject pod) => pod.Child("status");

    public static void SetCondition(JsonObject pod, string type, bool value, string? reason = null, string? message = null)
    {
        var conditions = pod.Status()["conditions"] as JsonArray ?? [];
        pod.Status()["conditions"] = conditions;
        var condition = conditions.OfType<JsonObject>().FirstOrDefault(c => c.Text("type") == type);
        var status = value ? "True" : "False";
        if (condition is null)
        {
            condition = new JsonObject { ["type"] = type };
            conditions.Add(condition);
        }
        if (condition.Text("status") != status)
        {
            condition["lastTransitionTime"] = ObjectFields.Now();
        }
        condition["status"] = status;
        condition["lastProbeTime"] = null;
        condition.Remove("reason");
        condition.Remove("message");
        if (reason is not null)
        {
            condition["reason"] = reason;
        }
        if (message is not null)
        {
            condition["message"] = message;
        }
    }

    /// <summary>The status entry of <paramref name="container"/> if the kubelet reported one.</summary>
    public static JsonObject? Find(JsonObject pod, ContainerRef container) =>
        (pod["status"]?[container.StatusList] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(s => s.Text("name") == container.Name);

    /// <summary>The status entry of <paramref name="container"/>, created as the kubelet first reports it.</summary>
    public static JsonObject Container(JsonObject pod, ContainerRef container)
    {
        var statuses = pod.Status()[container.StatusList] as JsonArray ?? [];
        pod.Status()[container.StatusList] = statuses;
        var status = statuses.OfType<JsonObject>().FirstOrDefault(s => s.Text("name") == container.Name);
        if (status is null)
        {
            status = new JsonObject
            {
                ["name"] = container.Name,
                ["image"] = container.Image,
                ["imageID"] = "",
                ["ready"] = false,
                ["restartCount"] = 0,
                ["started"] = false,
                ["state"] = new JsonObject(),
            };
            statuses.Add(status);
        }
        return status;
    }

    public static void Waiting(JsonObject status, string reason, string? message = null)
    {
        var waiting = new JsonObject { ["reason"] = reason };
        if (message is not null)
        {
            waiting["message"] = message;
        }
        status["state"] = new JsonObject { ["waiting"] = waiting };
        status["ready"] = false;
        status["started"] = false;
    }

    public static void Running(JsonObject status)
    {
        status["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = ObjectFields.Now() } };
        status["started"] = true;
        status["imageID"] = $"docker.io/library/emulated@sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(status.Text("image") ?? "")))}";
        status["containerID"] = $"containerd://{Guid.NewGuid():N}";
    }

    public static void Terminated(JsonObject status, long exitCode, string reason, string? message = null)
    {
        var startedAt = status.Text("state", "running", "startedAt") ?? ObjectFields.Now();
        var terminated = new JsonObject
        {
            ["exitCode"] = exitCode,
            ["reason"] = reason,
            ["startedAt"] = startedAt,
            ["finishedAt"] = ObjectFields.Now(),
            ["containerID"] = status.Text("containerID"),
        };
        if (message is not null)
        {
            terminated["message"] = message;
        }
        status["state"] = new JsonObject { ["terminated"] = terminated };
        status["ready"] = false;
        status["started"] = false;
    }

    /// <summary>After a crash: the last state is the termination, the container waits in CrashLoopBackOff.</summary>
    public static void Restarting(JsonObject status, long exitCode, string message)
    {
        Terminated(status, exitCode, exitCode == 0 ? "Completed" : "Error");
        status["lastState"] = status["state"]!.DeepClone();
        status["restartCount"] = (status.Number("restartCount") ?? 0) + 1;
        Waiting(status, "CrashLoopBackOff", message);
    }

    /// <summary>Ready and ContainersReady follow the main containers' readiness.</summary>
    public static void SetReady(JsonObject pod, IReadOnlyList<ContainerRef> containers, bool ready)
    {
        foreach (var container in containers)
        {
            Container(pod, container)["ready"] = ready;
        }
        var notReady = $"containers with unready status: [{string.Join(' ', containers.Select(c => c.Name))}]";
        SetCondition(pod, "ContainersReady", ready, ready ? null : "ContainersNotReady", ready ? null : notReady);
        SetCondition(pod, "Ready", ready, ready ? null : "ContainersNotReady", ready ? null : notReady);
    }
}
