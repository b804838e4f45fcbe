namespace K8shell.Testing.Kubernetes;

/// <summary>Ways the simulated kubelet makes a pod fail, as a cluster would, chosen per image or per pod label.</summary>
public enum PodFailure
{
    /// <summary>The image cannot be pulled: Warning Failed events, the container waits in ErrImagePull then ImagePullBackOff, again and again.</summary>
    ImagePull,

    /// <summary>The containers run but never become ready: Warning Unhealthy (readiness probe) events.</summary>
    NeverReady,

    /// <summary>The main container exits with status 1 soon after each start: restarts, Warning BackOff events, CrashLoopBackOff.</summary>
    CrashLoop,

    /// <summary>No node fits the pod: it stays Pending with PodScheduled False and Warning FailedScheduling events.</summary>
    Unschedulable,
}
