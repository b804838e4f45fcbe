using k8s;
using k8s.Autorest;
using k8s.Models;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// List, then watch from the list's resourceVersion, for as long as the caller wants: a watch that ends
/// (server timeout, a dropped connection, an API server restart) is resumed from the last version seen; one
/// answered with 410 Gone (the version was compacted away) lists again. An unreachable server is retried
/// with back-off; a refusal (403...) ends it with the error.
/// </summary>
internal static class ListWatch
{
    public delegate Task<(IList<T> Items, string ResourceVersion)> ListCall<T>(CancellationToken cancellationToken);

    public delegate IAsyncEnumerable<(WatchEventType Type, T Object)> WatchCall<T>(string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken);

    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(2);

    /// <summary>Runs until cancelled: <paramref name="listed"/> with every (re)list, <paramref name="changed"/> with every change after it.</summary>
    public static async Task RunAsync<T>(ListCall<T> list, WatchCall<T> watch, Func<IList<T>, ValueTask> listed, Func<WatchEventType, T, ValueTask> changed,
        ILogger logger, string what, CancellationToken cancellationToken) where T : IKubernetesObject<V1ObjectMeta>
    {
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string version;
            try
            {
                var (items, listVersion) = await list(cancellationToken);
                version = listVersion;
                await listed(items);
            }
            catch (Exception error) when (IsTransient(error, cancellationToken))
            {
                await BackOffAsync(what, error, failures++, logger, cancellationToken);
                continue;
            }
            while (true)
            {
                var gone = false;
                try
                {
                    await foreach (var (type, item) in watch(version, error => gone |= IsGone(error), cancellationToken))
                    {
                        if (item.Metadata?.ResourceVersion is { Length: > 0 } seen)
                        {
                            version = seen;
                        }
                        failures = 0;
                        if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                        {
                            await changed(type, item);
                        }
                    }
                }
                catch (Exception error) when (IsGone(error))
                {
                    gone = true;
                }
                catch (Exception error) when (IsTransient(error, cancellationToken))
                {
                    // Also a watch that ends before its first event: the client reads that as EndOfStream.
                    await BackOffAsync(what, error, failures++, logger, cancellationToken);
                }
                if (gone)
                {
                    logger.LogDebug("Watch of {What} from resourceVersion {Version} is too old (410 Gone); listing again", what, version);
                    break;
                }
            }
        }
    }

    /// <summary><see cref="RunAsync"/> for the one pod named <paramref name="name"/> (a field selector on its name).</summary>
    public static Task RunPodAsync(KubernetesApi api, string name, Func<IList<V1Pod>, ValueTask> listed, Func<WatchEventType, V1Pod, ValueTask> changed,
        ILogger logger, string what, CancellationToken cancellationToken)
    {
        var selector = $"metadata.name={name}";
        return RunAsync<V1Pod>(
            async token =>
            {
                var list = await api.CallAsync($"list pod \"{name}\"", client => client.CoreV1.ListNamespacedPodAsync(api.Namespace, fieldSelector: selector, cancellationToken: token), token);
                return (list.Items, list.Metadata.ResourceVersion);
            },
            (version, onError, token) => api.Client.CoreV1.WatchListNamespacedPodAsync(api.Namespace, fieldSelector: selector, resourceVersion: version,
                allowWatchBookmarks: true, onError: onError, cancellationToken: token),
            listed, changed, logger, what, cancellationToken);
    }

    private static bool IsGone(Exception error) => error switch
    {
        KubernetesException { Status.Code: 410 } => true,
        HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.Gone } => true,
        _ => false,
    };

    private static bool IsTransient(Exception error, CancellationToken cancellationToken) => error switch
    {
        WorkspaceBackendUnavailableException or HttpRequestException or IOException => true,
        HttpOperationException { Response.StatusCode: var code } => (int)code is 429 or >= 500,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static async Task BackOffAsync(string what, Exception error, int failures, ILogger logger, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackOff.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 6))));
        if (failures > 0)
        {
            logger.LogWarning("Watching {What} failed ({Error}); again in {Delay} ms", what, error.Message, delay.TotalMilliseconds);
        }
        await Task.Delay(delay, cancellationToken);
    }
}
