using System.Globalization;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// Image pulls: Pulling then Pulled, or "already present on machine" for an image the node has and a
/// pull policy that allows it, or (failure mode) ErrImagePull and ImagePullBackOff for ever.
/// </summary>
internal sealed partial class PodLifecycle
{
    private async Task PullAsync(ContainerRef container, bool fails, CancellationToken cancellationToken)
    {
        var image = container.Image;
        var policy = container.PullPolicy;
        if (!fails && policy != "Always" && _kubelet.IsPulled(image))
        {
            _kubelet.Events.Normal(Current(), ResourceKind.Pods, container.FieldPath, "Pulled", $"Container image \"{image}\" already present on machine");
            return;
        }
        if (policy == "Never")
        {
            await FailForeverAsync(container, "ErrImageNeverPull",
                $"Container image \"{image}\" is not present with pull policy of Never", cancellationToken);
        }
        var attempt = 0;
        while (true)
        {
            _kubelet.Events.Normal(Current(), ResourceKind.Pods, container.FieldPath, "Pulling", $"Pulling image \"{image}\"");
            var duration = _kubelet.PullDuration(image);
            await Task.Delay(duration, cancellationToken);
            if (!fails)
            {
                _kubelet.MarkPulled(image);
                var seconds = duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                _kubelet.Events.Normal(Current(), ResourceKind.Pods, container.FieldPath, "Pulled",
                    $"Successfully pulled image \"{image}\" in {seconds}s ({seconds}s including waiting). Image size: 10485760 bytes.");
                return;
            }
            var error = $"failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": not found";
            _kubelet.Events.Warning(Current(), ResourceKind.Pods, container.FieldPath, "Failed", $"Failed to pull image \"{image}\": {error}");
            _kubelet.Events.Warning(Current(), ResourceKind.Pods, container.FieldPath, "Failed", "Error: ErrImagePull");
            Update(pod => PodStatus.Waiting(PodStatus.Container(pod, container), "ErrImagePull", error));
            await Task.Delay(Options.BackOffBefore(attempt), cancellationToken);
            _kubelet.Events.Normal(Current(), ResourceKind.Pods, container.FieldPath, "BackOff", $"Back-off pulling image \"{image}\"");
            _kubelet.Events.Warning(Current(), ResourceKind.Pods, container.FieldPath, "Failed", "Error: ImagePullBackOff");
            Update(pod => PodStatus.Waiting(PodStatus.Container(pod, container), "ImagePullBackOff", $"Back-off pulling image \"{image}\": ErrImagePull: {error}"));
            await Task.Delay(Options.BackOffBefore(++attempt), cancellationToken);
        }
    }

    private async Task FailForeverAsync(ContainerRef container, string reason, string message, CancellationToken cancellationToken)
    {
        while (true)
        {
            _kubelet.Events.Warning(Current(), ResourceKind.Pods, container.FieldPath, reason, message);
            Update(pod => PodStatus.Waiting(PodStatus.Container(pod, container), reason, message));
            await Task.Delay(Options.BackOff * 8, cancellationToken);
        }
    }
}
