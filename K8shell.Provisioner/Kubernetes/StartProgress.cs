using k8s.Models;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Workspaces;
using Severity = K8shell.Contracts.Provisioner.V1.ProvisionEvent.Types.Severity;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// What a start has come to, from the pod and the events about it and its claims as they arrive: each new
/// event once (by uid and count) with its severity, and the stage whenever it changes, until Running,
/// Failing (a failed pod or a critical event) or Stopped (the pod ended or vanished). Events of an earlier
/// pod or claim of the same name are not this start's; events that were there before the start, about a
/// pod or claim it kept, are history: they are neither reported nor able to fail it.
/// </summary>
internal sealed class StartProgress(string podName, string podUid, IReadOnlyDictionary<string, string> claimUids, TimeSpan pullingGrace)
{
    /// <summary>How long a failure the pod shows waits for the events that explain it.</summary>
    private static readonly TimeSpan FailureSettle = TimeSpan.FromMilliseconds(500);

    private readonly HashSet<(string Uid, int Count)> _seen = [];
    private readonly List<Corev1Event> _otherPods = [];
    private readonly Dictionary<string, (DateTimeOffset Since, string Image)> _pulls = [];
    private string _podUid = podUid;
    private DateTimeOffset? _failingSince;
    private V1Pod? _pod;
    private PodStage? _reported;
    // When the stage was last worked out: deadlines up to then have had their effect.
    private DateTimeOffset _stageAt = DateTimeOffset.MinValue;

    /// <summary>Whether a terminal stage was reported: the start is over.</summary>
    public bool IsOver { get; private set; }

    /// <summary>The pod as last listed or watched; null once it is gone.</summary>
    public IEnumerable<WorkspaceProgress> OnPod(V1Pod? pod, DateTimeOffset now)
    {
        _pod = pod;
        if (pod is null)
        {
            return Report(new PodStage(WorkspaceStatus.Stopped, "Stopped", $"pod {podName} was deleted before it was running"));
        }
        var replayed = new List<WorkspaceProgress>();
        if (pod.Metadata.Uid != _podUid)
        {
            // Replaced under us (another apply recreated it): its events are the ones that count now.
            _podUid = pod.Metadata.Uid;
            _pulls.Clear();
            var waiting = _otherPods.ToList();
            _otherPods.Clear();
            foreach (var e in waiting)
            {
                replayed.AddRange(OnEvent(e, history: false, now));
            }
        }
        return replayed.Concat(Stage(now)).ToList();
    }

    /// <summary>An event listed or watched; <paramref name="history"/> when it was there before the start began.</summary>
    public IEnumerable<WorkspaceProgress> OnEvent(Corev1Event e, bool history, DateTimeOffset now)
    {
        if (IsOver)
        {
            return [];
        }
        var involved = e.InvolvedObject;
        var isPod = involved?.Kind == "Pod";
        if (isPod && involved!.Uid != _podUid)
        {
            _otherPods.Add(e);
            return [];
        }
        if (!isPod && (involved?.Name is null || !claimUids.TryGetValue(involved.Name, out var claimUid) || claimUid != involved.Uid))
        {
            return [];
        }
        if (!_seen.Add((e.Metadata.Uid, e.Count ?? 1)))
        {
            return [];
        }
        if (isPod)
        {
            TrackPull(e, now);
        }
        if (history)
        {
            return Stage(now);
        }
        var severity = EventSeverity.Of(e, PodStage.Restarts(_pod));
        var status = severity == Severity.Critical ? WorkspaceStatus.Failing : _reported?.Status ?? WorkspaceStatus.Starting;
        var progress = new List<WorkspaceProgress> { WorkspaceProgress.Event(e.Reason ?? "", e.Message ?? "", involved!.Name, severity, status) };
        progress.AddRange(severity == Severity.Critical
            ? Report(new PodStage(WorkspaceStatus.Failing, "Failed", $"{e.Reason}: {e.Message}"), involved.Name)
            : Stage(now));
        return progress;
    }

    /// <summary>
    /// When the stage may change with no news: a pull turning older than the grace, a failure settled. Null for never.
    /// A deadline counts until a stage was worked out at or after it, so one that passes between a timer firing (timers
    /// may fire a fraction of a millisecond early) and the next look is due at once, not lost.
    /// </summary>
    public DateTimeOffset? NextDeadline() =>
        _pulls.Values.Select(pull => pull.Since + pullingGrace).Append(_failingSince + FailureSettle ?? DateTimeOffset.MinValue)
            .Where(deadline => deadline > _stageAt).Cast<DateTimeOffset?>().Min();

    /// <summary>
    /// The stage now, reported if it changed. A failure the pod shows is reported after
    /// <see cref="FailureSettle"/>: the events that say why come on another watch and go first.
    /// </summary>
    public IEnumerable<WorkspaceProgress> Stage(DateTimeOffset now)
    {
        _stageAt = now;
        if (_pod is null || IsOver)
        {
            return [];
        }
        var stage = PodStage.Of(_pod, SlowPull(now));
        if (stage.Status != WorkspaceStatus.Failing)
        {
            _failingSince = null;
            return Report(stage);
        }
        _failingSince ??= now;
        return now - _failingSince < FailureSettle ? [] : Report(stage);
    }

    private IEnumerable<WorkspaceProgress> Report(PodStage stage, string? objectName = null)
    {
        if (IsOver || (_reported is { } last && last.Status == stage.Status && last.Stage == stage.Stage))
        {
            return [];
        }
        _reported = stage;
        IsOver = stage.IsTerminal;
        return [WorkspaceProgress.StageOf(stage.Status, stage.Stage, stage.Message, objectName ?? podName)];
    }

    /// <summary>A container's pull from its Pulling event to its Pulled or failure, by the container's field path.</summary>
    private void TrackPull(Corev1Event e, DateTimeOffset now)
    {
        var container = e.InvolvedObject.FieldPath ?? "";
        var message = e.Message ?? "";
        switch (e.Reason)
        {
            case "Pulling":
                if (!_pulls.ContainsKey(container))
                {
                    _pulls[container] = (now, ImageIn(message));
                }
                break;
            case "Pulled":
            case "Failed" or "BackOff" or "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull":
                _pulls.Remove(container);
                break;
        }
    }

    /// <summary>
    /// The image pulled longest, if for longer than the grace. A container that runs or ran has its image,
    /// whatever order a list gave its Pulling and Pulled events in (their timestamps have whole seconds).
    /// </summary>
    private string? SlowPull(DateTimeOffset now)
    {
        foreach (var container in _pulls.Keys.Where(HasStarted).ToList())
        {
            _pulls.Remove(container);
        }
        return _pulls.Values.Where(pull => now - pull.Since >= pullingGrace).OrderBy(pull => pull.Since).Select(pull => pull.Image).FirstOrDefault();
    }

    /// <summary>Whether the container a field path such as <c>spec.containers{k8shell-main}</c> names is running or has run.</summary>
    private bool HasStarted(string fieldPath)
    {
        var open = fieldPath.IndexOf('{');
        if (_pod?.Status is not { } status || open < 0 || !fieldPath.EndsWith('}'))
        {
            return false;
        }
        var name = fieldPath[(open + 1)..^1];
        var statuses = fieldPath.StartsWith("spec.initContainers", StringComparison.Ordinal) ? status.InitContainerStatuses : status.ContainerStatuses;
        return statuses?.FirstOrDefault(s => s.Name == name)?.State is { } state && (state.Running is not null || state.Terminated is not null);
    }

    /// <summary>The image of a kubelet message such as <c>Pulling image "debian:12"</c>.</summary>
    private static string ImageIn(string message)
    {
        var open = message.IndexOf('"');
        var close = open < 0 ? -1 : message.IndexOf('"', open + 1);
        return close > open ? message[(open + 1)..close] : message;
    }
}
