using k8s.Models;
using Severity = K8shell.Contracts.Provisioner.V1.ProvisionEvent.Types.Severity;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// How much a Kubernetes event matters to a start (reference §7.2). Critical ends it: an image that cannot
/// be pulled (<c>ErrImagePull</c>, <c>ImagePullBackOff</c>, <c>InvalidImageName</c>), <c>OOMKilled</c>, a
/// <c>BackOff</c> once a container restarted more than <see cref="RestartThreshold"/> times, a claim's
/// <c>FailedBinding</c>. Warning is forwarded and the start goes on: <c>ProvisioningFailed</c>,
/// <c>FailedScheduling</c>, an early <c>BackOff</c>, <c>Unhealthy</c>, and any other event of type Warning.
/// Everything else is Info. The kubelet reports pull failures as reason <c>Failed</c> with the state in the
/// message ("Error: ErrImagePull") and as <c>BackOff</c> "Back-off pulling image", so both are read.
/// </summary>
internal static class EventSeverity
{
    /// <summary>More restarts than this make a BackOff critical.</summary>
    public const int RestartThreshold = 2;

    private static readonly string[] ImageFailures = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"];

    public static Severity Of(Corev1Event e, int restarts)
    {
        var reason = e.Reason ?? "";
        var message = e.Message ?? "";
        if (ImageFailures.Contains(reason) || reason == "OOMKilled" || (reason == "FailedBinding" && e.InvolvedObject?.Kind == "PersistentVolumeClaim"))
        {
            return Severity.Critical;
        }
        if (reason == "Failed" && (IsPullFailure(message) || ImageFailures.Any(failure => message.Contains(failure, StringComparison.Ordinal))))
        {
            return Severity.Critical;
        }
        if (reason == "BackOff")
        {
            return message.StartsWith("Back-off pulling image", StringComparison.Ordinal) || restarts > RestartThreshold ? Severity.Critical : Severity.Warning;
        }
        if (reason is "ProvisioningFailed" or "FailedScheduling" or "Unhealthy" || e.Type == "Warning")
        {
            return Severity.Warning;
        }
        return Severity.Info;
    }

    /// <summary>The kubelet's first word on a failed pull: "Failed to pull image ...".</summary>
    public static bool IsPullFailure(string message) => message.StartsWith("Failed to pull image", StringComparison.Ordinal);
}
