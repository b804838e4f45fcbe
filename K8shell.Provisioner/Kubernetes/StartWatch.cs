using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Watches an applied workspace to Running or failure: the pod (field selector on its name) and the events
/// about it and each of its claims (one watch per name), each listed then watched (<see cref="ListWatch"/>),
/// all fed into one <see cref="StartProgress"/>. A timer wakes it when a pull turns older than the grace.
/// </summary>
internal sealed class StartWatch(KubernetesApi api, TimeSpan pullingGrace, TimeProvider time, ILogger logger)
{
    private abstract record Signal;

    private sealed record PodSeen(V1Pod? Pod) : Signal;

    private sealed record EventSeen(Corev1Event Event, bool History) : Signal;

    private sealed record WatchFailed(Exception Error, string What) : Signal;

    public async IAsyncEnumerable<WorkspaceProgress> WatchAsync(AppliedWorkspace applied, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signals = Channel.CreateUnbounded<Signal>(new UnboundedChannelOptions { SingleReader = true });
        var progress = new StartProgress(applied.Pod.Metadata.Name, applied.Pod.Metadata.Uid, applied.ClaimUids, pullingGrace);
        var watches = new List<Task> { Run($"pod {applied.Pod.Metadata.Name}", token => WatchPodAsync(applied.Pod.Metadata.Name, signals.Writer, token)) };
        // Events that were there before the start are history for what the start kept, not for what it made.
        watches.Add(Run($"events of pod {applied.Pod.Metadata.Name}", token => WatchEventsAsync(applied.Pod.Metadata.Name, !applied.PodCreated, signals.Writer, token)));
        watches.AddRange(applied.ClaimUids.Keys.Select(claim =>
            Run($"events of claim {claim}", token => WatchEventsAsync(claim, !applied.ClaimsCreated.Contains(claim), signals.Writer, token))));

        try
        {
            while (!progress.IsOver)
            {
                var now = time.GetUtcNow();
                var signal = await NextAsync(signals.Reader, progress.NextDeadline() - now, stopping.Token);
                now = time.GetUtcNow();
                var reports = signal switch
                {
                    PodSeen pod => progress.OnPod(pod.Pod, now),
                    EventSeen seen => progress.OnEvent(seen.Event, seen.History, now),
                    WatchFailed failed => throw api.Translate($"watch {failed.What}", failed.Error, stopping.Token) ?? failed.Error,
                    _ => progress.Stage(now),
                };
                foreach (var report in reports)
                {
                    yield return report;
                }
            }
        }
        finally
        {
            await stopping.CancelAsync();
            await Task.WhenAll(watches);
        }

        Task Run(string what, Func<CancellationToken, Task> watch) => Task.Run(async () =>
        {
            try
            {
                await watch(stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception error)
            {
                signals.Writer.TryWrite(new WatchFailed(error, what));
            }
        }, CancellationToken.None);
    }

    /// <summary>The next signal, or null when <paramref name="wait"/> passes first (null: wait as long as it takes; zero or less: due now).</summary>
    private static async Task<Signal?> NextAsync(ChannelReader<Signal> reader, TimeSpan? wait, CancellationToken cancellationToken)
    {
        if (wait is not { } delay)
        {
            return await reader.ReadAsync(cancellationToken);
        }
        if (delay <= TimeSpan.Zero)
        {
            return null;
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(delay);
        try
        {
            return await reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private Task WatchPodAsync(string name, ChannelWriter<Signal> signals, CancellationToken cancellationToken) =>
        ListWatch.RunPodAsync(api, name,
            pods => signals.WriteAsync(new PodSeen(pods.FirstOrDefault()), cancellationToken),
            (type, pod) => signals.WriteAsync(new PodSeen(type == WatchEventType.Deleted ? null : pod), cancellationToken),
            logger, $"pod {name}", cancellationToken);

    private Task WatchEventsAsync(string involvedName, bool historyFirst, ChannelWriter<Signal> signals, CancellationToken cancellationToken)
    {
        var selector = $"involvedObject.name={involvedName}";
        var firstList = true;
        return ListWatch.RunAsync<Corev1Event>(
            async token =>
            {
                var list = await api.CallAsync($"list events of {involvedName}", client => client.CoreV1.ListNamespacedEventAsync(api.Namespace, fieldSelector: selector, cancellationToken: token), token);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (version, onError, token) => api.Client.CoreV1.WatchListNamespacedEventAsync(api.Namespace, fieldSelector: selector, resourceVersion: version,
                allowWatchBookmarks: true, onError: onError, cancellationToken: token),
            async events =>
            {
                var history = historyFirst && firstList;
                firstList = false;
                foreach (var e in events.OrderBy(When).ThenBy(e => e.Metadata.Name, StringComparer.Ordinal))
                {
                    await signals.WriteAsync(new EventSeen(e, history), cancellationToken);
                }
            },
            async (type, e) =>
            {
                if (type != WatchEventType.Deleted)
                {
                    await signals.WriteAsync(new EventSeen(e, History: false), cancellationToken);
                }
            },
            logger, $"events of {involvedName}", cancellationToken);
    }

    /// <summary>When an event last happened, to replay a list in order (names break ties: they grow with time).</summary>
    private static DateTime When(Corev1Event e) =>
        e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata.CreationTimestamp ?? DateTime.MinValue;
}
