using k8s.Models;
using K8shell.Provisioner.Kubernetes;
using Severity = K8shell.Contracts.Provisioner.V1.ProvisionEvent.Types.Severity;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>Reference §7.2's severities, for events as the kubelet, scheduler and volume controller word them.</summary>
public sealed class EventSeverityTests
{
    [Theory]
    [InlineData("Pod", "Warning", "Failed", "Failed to pull image \"debian:13\": not found", 0, "Critical")]
    [InlineData("Pod", "Warning", "Failed", "Error: ErrImagePull", 0, "Critical")]
    [InlineData("Pod", "Warning", "Failed", "Error: ImagePullBackOff", 0, "Critical")]
    [InlineData("Pod", "Warning", "InspectFailed", "Failed to apply default image tag: InvalidImageName", 0, "Warning")]
    [InlineData("Pod", "Warning", "InvalidImageName", "Failed to apply default image tag \"Debian\"", 0, "Critical")]
    [InlineData("Pod", "Normal", "BackOff", "Back-off pulling image \"debian:13\"", 0, "Critical")]
    [InlineData("Pod", "Warning", "BackOff", "Back-off restarting failed container k8shell-main", 2, "Warning")]
    [InlineData("Pod", "Warning", "BackOff", "Back-off restarting failed container k8shell-main", 3, "Critical")]
    [InlineData("Pod", "Warning", "OOMKilled", "Container k8shell-main was OOM killed", 0, "Critical")]
    [InlineData("PersistentVolumeClaim", "Warning", "FailedBinding", "no persistent volumes available", 0, "Critical")]
    [InlineData("PersistentVolumeClaim", "Warning", "ProvisioningFailed", "failed to provision volume", 0, "Warning")]
    [InlineData("Pod", "Warning", "FailedScheduling", "0/3 nodes are available", 0, "Warning")]
    [InlineData("Pod", "Warning", "Unhealthy", "Readiness probe failed", 0, "Warning")]
    [InlineData("Pod", "Warning", "FailedMount", "MountVolume.SetUp failed", 0, "Warning")]
    [InlineData("Pod", "Normal", "Pulled", "Successfully pulled image \"debian:12\"", 0, "Info")]
    [InlineData("Pod", "Normal", "Scheduled", "Successfully assigned", 0, "Info")]
    public void Events_are_graded_as_the_reference_says(string kind, string type, string reason, string message, int restarts, string severity)
    {
        var e = new Corev1Event { InvolvedObject = new V1ObjectReference { Kind = kind }, Type = type, Reason = reason, Message = message };
        Assert.Equal(Enum.Parse<Severity>(severity), EventSeverity.Of(e, restarts));
    }
}
