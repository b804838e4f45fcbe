using k8s.Models;
using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Where a workspace pod is on its way to Running and the status that maps to (reference §7.2), derived
/// in the reference's order: deletion → phase → unscheduled → pulling (only a pull older than the grace,
/// which the caller tells) → init containers → main containers → Running. Critical events are not read
/// here: the start watch ends at the first one, whatever the stage (a claim that cannot bind keeps the
/// pod unscheduled for ever).
/// </summary>
internal sealed record PodStage(WorkspaceStatus Status, string Stage, string Message)
{
    /// <summary>Waiting reasons that do not get better by waiting.</summary>
    private static readonly string[] HardFailures =
        ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"];

    public bool IsTerminal => Status is WorkspaceStatus.Running or WorkspaceStatus.Failing or WorkspaceStatus.Stopped;

    /// <param name="pod">The pod as last seen.</param>
    /// <param name="pulling">The image a container has been pulling for longer than the grace, or null.</param>
    public static PodStage Of(V1Pod pod, string? pulling)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            return new(WorkspaceStatus.Terminating, "Terminating", "the pod is being deleted");
        }
        switch (pod.Status?.Phase)
        {
            case "Succeeded":
                return new(WorkspaceStatus.Stopped, "Stopped", "k8shelld exited");
            case "Failed":
                return new(WorkspaceStatus.Failing, "Failed", Join(pod.Status.Reason, pod.Status.Message, "the pod failed"));
        }
        if (string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            var scheduled = pod.Status?.Conditions?.FirstOrDefault(condition => condition.Type == "PodScheduled");
            return new(WorkspaceStatus.Starting, "Scheduling", scheduled?.Message is { Length: > 0 } why ? why : "waiting for a node");
        }
        if (pulling is not null)
        {
            return new(WorkspaceStatus.Pulling, "Pulling", $"pulling image {pulling}");
        }
        foreach (var container in pod.Spec.InitContainers ?? [])
        {
            var status = pod.Status?.InitContainerStatuses?.FirstOrDefault(s => s.Name == container.Name);
            if (Failure(status) is { } failure)
            {
                return new(WorkspaceStatus.Failing, "Failed", $"init container {container.Name}: {failure}");
            }
            if (status?.State?.Terminated is not { ExitCode: 0 })
            {
                return new(WorkspaceStatus.Starting, "Initializing", $"init container {container.Name}: {Waiting(status) ?? "running"}");
            }
        }
        foreach (var container in pod.Spec.Containers ?? [])
        {
            var status = pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == container.Name);
            if (Failure(status) is { } failure)
            {
                return new(WorkspaceStatus.Failing, "Failed", $"container {container.Name}: {failure}");
            }
            if (status is not { Ready: true })
            {
                return new(WorkspaceStatus.Starting, "Starting", $"container {container.Name}: {Waiting(status) ?? "waiting for k8shelld to be ready"}");
            }
        }
        return new(WorkspaceStatus.Running, "Running", "k8shelld is ready");
    }

    /// <summary>The most restarts of any container, init containers included.</summary>
    public static int Restarts(V1Pod? pod) =>
        (pod?.Status?.InitContainerStatuses ?? []).Concat(pod?.Status?.ContainerStatuses ?? []).Select(status => status.RestartCount).DefaultIfEmpty(0).Max();

    /// <summary>Why the container last ended badly (OOMKilled, a non-zero exit), or null.</summary>
    public static string? LastFailure(V1Pod pod) =>
        (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? [])
            .Select(status => status.State?.Terminated is { ExitCode: not 0 } now ? now : status.LastState?.Terminated is { ExitCode: not 0 } last ? last : null)
            .Where(terminated => terminated is not null)
            .Select(terminated => Join(terminated!.Reason, terminated.Message, $"exit status {terminated.ExitCode}"))
            .FirstOrDefault();

    private static string? Failure(V1ContainerStatus? status)
    {
        if (status is null)
        {
            return null;
        }
        if (status.State?.Waiting is { } waiting && HardFailures.Contains(waiting.Reason))
        {
            return Join(waiting.Reason, waiting.Message, "");
        }
        if (status.State?.Terminated?.Reason == "OOMKilled" || status.LastState?.Terminated?.Reason == "OOMKilled")
        {
            return "OOMKilled: the container ran out of memory";
        }
        if (status.RestartCount > EventSeverity.RestartThreshold && status.State?.Waiting?.Reason == "CrashLoopBackOff")
        {
            return Join("CrashLoopBackOff", $"restarted {status.RestartCount} times; {LastExit(status)}", "");
        }
        return null;
    }

    private static string LastExit(V1ContainerStatus status) =>
        status.LastState?.Terminated is { } last ? Join(last.Reason, last.Message, $"exit status {last.ExitCode}") : "";

    private static string? Waiting(V1ContainerStatus? status) =>
        status?.State?.Waiting is { } waiting ? Join(waiting.Reason, waiting.Message, "waiting") : null;

    private static string Join(string? reason, string? message, string fallback) =>
        (reason, message) switch
        {
            ({ Length: > 0 }, { Length: > 0 }) => $"{reason}: {message}",
            ({ Length: > 0 }, _) => reason,
            (_, { Length: > 0 }) => message,
            _ => fallback,
        };
}
