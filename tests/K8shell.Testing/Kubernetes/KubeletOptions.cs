namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The simulated node's timings. Real ones are seconds to minutes; these defaults keep a pod's way to
/// Ready within a fraction of a second. Tests of time-dependent behaviour (a pull that takes longer
/// than 8 s) set their own, or <see cref="SimulatedKubelet.SetPullDuration"/> per image.
/// </summary>
public sealed record KubeletOptions
{
    public string NodeName { get; init; } = "k8shell-emulated-node";

    /// <summary>From a pod's creation to its binding (PodScheduled, the Scheduled event).</summary>
    public TimeSpan SchedulingDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long pulling an image takes (Pulling to Pulled) unless set per image.</summary>
    public TimeSpan PullDuration { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>From a container's Created event to its Started event.</summary>
    public TimeSpan ContainerStartDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How long each init container runs before it completes.</summary>
    public TimeSpan InitContainerDuration { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long stopping a deleted pod's containers takes (never longer than its grace period).</summary>
    public TimeSpan TerminationDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The first back-off after a failed pull or a crash; it doubles per attempt, up to eight times this.</summary>
    public TimeSpan BackOff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The back-off before retry <paramref name="attempt"/> (0 first): <see cref="BackOff"/> doubled per attempt, at most eight times it.</summary>
    internal TimeSpan BackOffBefore(int attempt) => BackOff * Math.Min(8, 1 << Math.Min(attempt, 3));

    /// <summary>How long a container in <see cref="PodFailure.CrashLoop"/> runs before it exits with status 1.</summary>
    public TimeSpan CrashAfter { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a container in <see cref="PodFailure.NeverReady"/> fails its readiness probe (an Unhealthy event).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>From a PVC's creation to Bound.</summary>
    public TimeSpan VolumeBindingDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// False: every pod's IP is 127.0.0.1. True: each pod gets its own loopback address (127.77.x.y),
    /// so several pods' processes can listen on the same port (k8shelld's 2822) side by side.
    /// </summary>
    public bool DistinctPodAddresses { get; init; }
}
