using k8s;
using k8s.Models;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>Watch streams through the client: event types, resuming, selectors, bookmarks, 410 Gone, closed streams.</summary>
public sealed class WatchTests
{
    [Fact]
    public async Task A_watch_from_a_list_sees_added_modified_and_deleted_in_order()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        var watching = CollectAsync(api.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token), 3);

        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("settings") }, "default", cancellationToken: Token);
        await api.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"1"}}""", V1Patch.PatchType.MergePatch), "settings", "default", cancellationToken: Token);
        await api.DeleteNamespacedConfigMapAsync("settings", "default", cancellationToken: Token);

        var events = await watching;
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("settings", e.Object.Metadata.Name));
        Assert.Equal("1", events[1].Object.Data["a"]);
        var versions = events.Select(e => long.Parse(e.Object.Metadata.ResourceVersion)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(cluster.Emulator.ResourceVersion, versions[^1]);
    }

    [Fact]
    public async Task A_watch_without_a_resource_version_starts_with_every_object_as_added()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("a") }, "default", cancellationToken: Token);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("b") }, "default", cancellationToken: Token);

        var events = await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", cancellationToken: Token), 2);

        Assert.Equal([(WatchEventType.Added, "a"), (WatchEventType.Added, "b")], events.Select(e => (e.Type, e.Object.Metadata.Name)));
    }

    [Fact]
    public async Task A_label_filtered_watch_sees_objects_enter_and_leave_its_selection()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        var watching = CollectAsync(api.WatchListNamespacedConfigMapAsync("default", labelSelector: "app=web", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token), 3);

        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("x") }, "default", cancellationToken: Token);
        await api.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"web"}}}""", V1Patch.PatchType.MergePatch), "x", "default", cancellationToken: Token);
        await api.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"db"}}}""", V1Patch.PatchType.MergePatch), "x", "default", cancellationToken: Token);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("y", new Dictionary<string, string> { ["app"] = "web" }) }, "default", cancellationToken: Token);

        var events = await watching;
        Assert.Equal([(WatchEventType.Added, "x"), (WatchEventType.Deleted, "x"), (WatchEventType.Added, "y")], events.Select(e => (e.Type, e.Object.Metadata.Name)));
    }

    [Fact]
    public async Task A_watch_on_one_name_sees_only_that_object()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        var watching = CollectAsync(api.WatchListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=wanted", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token), 1);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("other") }, "default", cancellationToken: Token);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("wanted") }, "default", cancellationToken: Token);
        Assert.Equal("wanted", Assert.Single(await watching).Object.Metadata.Name);
    }

    [Fact]
    public async Task Bookmarks_carry_the_current_resource_version_when_asked_for()
    {
        await using var cluster = await StartAsync(new() { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("a") }, "default", cancellationToken: Token);
        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);

        var events = await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token), 1);

        var bookmark = Assert.Single(events);
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Equal(cluster.Emulator.ResourceVersion.ToString(), bookmark.Object.Metadata.ResourceVersion);

        var without = await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token), 1, TimeSpan.FromMilliseconds(400));
        Assert.Empty(without);
    }

    [Fact]
    public async Task Initial_events_end_with_a_bookmark_when_sent_on_request()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("a") }, "default", cancellationToken: Token);

        var events = await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", allowWatchBookmarks: true, sendInitialEvents: true,
            resourceVersionMatch: "NotOlderThan", cancellationToken: Token), 2);

        Assert.Equal([WatchEventType.Added, WatchEventType.Bookmark], events.Select(e => e.Type));
        Assert.Equal("true", events[1].Object.Metadata.Annotations["k8s.io/initial-events-end"]);
    }

    [Fact]
    public async Task A_watch_from_a_compacted_resource_version_gets_410_Gone()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("a") }, "default", cancellationToken: Token);
        cluster.Emulator.CompactHistory();

        var errors = new List<Exception>();
        var events = await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: Token), 1);

        Assert.Empty(events);
        var gone = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, gone.Status.Code);
        Assert.Equal("Expired", gone.Status.Reason);
        Assert.StartsWith("too old resource version", gone.Status.Message);

        // From the current version (a fresh list) the watch works again.
        var fresh = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        var resumed = CollectAsync(api.WatchListNamespacedConfigMapAsync("default", resourceVersion: fresh.Metadata.ResourceVersion, cancellationToken: Token), 1);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("b") }, "default", cancellationToken: Token);
        Assert.Equal("b", Assert.Single(await resumed).Object.Metadata.Name);
    }

    [Fact]
    public async Task The_bounded_history_forgets_old_versions_on_its_own()
    {
        await using var cluster = await StartAsync(new() { HistoryLimit = 3 });
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        for (var i = 0; i < 5; i++)
        {
            await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta($"m{i}") }, "default", cancellationToken: Token);
        }

        var errors = new List<Exception>();
        await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, onError: errors.Add, cancellationToken: Token), 1);
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(errors)).Status.Code);

        // The last three changes are still there to resume from.
        var recent = (cluster.Emulator.ResourceVersion - 2).ToString();
        var replayed = await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", resourceVersion: recent, cancellationToken: Token), 2);
        Assert.Equal(["m3", "m4"], replayed.Select(e => e.Object.Metadata.Name));
    }

    [Fact]
    public async Task A_closed_watch_ends_and_resuming_from_the_last_version_loses_nothing()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        var seen = new List<V1ConfigMap>();
        var ended = Task.Run(async () =>
        {
            await foreach (var (_, map) in api.WatchListNamespacedConfigMapAsync("default", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token))
            {
                lock (seen)
                {
                    seen.Add(map);
                }
            }
        }, Token);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("before") }, "default", cancellationToken: Token);
        Assert.True(await Eventually.WaitAsync(() => { lock (seen) { return seen.Count == 1; } }, TimeSpan.FromSeconds(5), Token));
        Assert.Equal(1, cluster.Emulator.OpenWatches);

        cluster.Emulator.CloseWatches();
        await ended.WaitAsync(TimeSpan.FromSeconds(5), Token);
        Assert.Equal(0, cluster.Emulator.OpenWatches);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("while-away") }, "default", cancellationToken: Token);

        var resumed = await CollectAsync(api.WatchListNamespacedConfigMapAsync("default", resourceVersion: seen[^1].Metadata.ResourceVersion, cancellationToken: Token), 1);
        Assert.Equal("while-away", Assert.Single(resumed).Object.Metadata.Name);
    }

    [Fact]
    public async Task A_watch_ends_after_its_timeout()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("a") }, "default", cancellationToken: Token);
        var started = DateTime.UtcNow;

        var events = await CollectAsync(cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", timeoutSeconds: 1, cancellationToken: Token), 2, TimeSpan.FromSeconds(10));

        Assert.Equal("a", Assert.Single(events).Object.Metadata.Name);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_watch_that_ends_before_its_first_event_fails_in_the_client_as_against_a_cluster()
    {
        // KubernetesClient reads the first line before it hands the stream over; an empty body is an
        // EndOfStreamException (kubernetes-client/csharp#893). Code that watches must expect it.
        await using var cluster = await StartAsync();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            CollectAsync(cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", timeoutSeconds: 1, cancellationToken: Token), 1, TimeSpan.FromSeconds(10)));
        Assert.IsType<EndOfStreamException>(error.InnerException);
    }

    [Fact]
    public async Task A_watch_across_namespaces_sees_pods_everywhere()
    {
        await using var cluster = await StartAsync(new() { Namespaces = ["default", "team-a"], Kubelet = null });
        var api = cluster.Client.CoreV1;
        var list = await api.ListPodForAllNamespacesAsync(cancellationToken: Token);
        var watching = CollectAsync(api.WatchListPodForAllNamespacesAsync(resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token), 2);
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("p"), "default", cancellationToken: Token);
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("p"), "team-a", cancellationToken: Token);
        Assert.Equal(["default", "team-a"], (await watching).Select(e => e.Object.Metadata.NamespaceProperty));
    }

    [Fact]
    public async Task The_list_call_with_watch_true_streams_events_too()
    {
        await using var cluster = await StartAsync(new() { Kubelet = null });
        var api = cluster.Client.CoreV1;
        var list = await api.ListNamespacedPodAsync("default", cancellationToken: Token);
#pragma warning disable CS0618 // The older watch entry point, which code written against earlier clients still uses.
        var watch = api.ListNamespacedPodWithHttpMessagesAsync("default", watch: true, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: Token)
            .WatchAsync<V1Pod, V1PodList>(cancellationToken: Token);
#pragma warning restore CS0618
        var watching = CollectAsync(watch, 1);
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev"), "default", cancellationToken: Token);
        var added = Assert.Single(await watching);
        Assert.Equal((WatchEventType.Added, "alice-dev"), (added.Type, added.Object.Metadata.Name));
    }

    /// <summary>The first <paramref name="count"/> events, or fewer if the stream ends or <paramref name="timeout"/> (5 s) passes.</summary>
    internal static Task<List<(WatchEventType Type, T Object)>> CollectAsync<T>(IAsyncEnumerable<(WatchEventType, T)> watch, int count, TimeSpan? timeout = null)
    {
        var seen = 0;
        return CollectAsync(watch, _ => ++seen == count, timeout);
    }

    /// <summary>Events up to the one <paramref name="until"/> picks, or fewer if the stream ends or <paramref name="timeout"/> (5 s) passes.</summary>
    internal static async Task<List<(WatchEventType Type, T Object)>> CollectAsync<T>(IAsyncEnumerable<(WatchEventType, T)> watch,
        Func<(WatchEventType Type, T Object), bool> until, TimeSpan? timeout = null)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancellation.CancelAfter(timeout ?? TimeSpan.FromSeconds(5));
        var events = new List<(WatchEventType, T)>();
        try
        {
            await foreach (var item in watch.WithCancellation(cancellation.Token))
            {
                events.Add(item);
                if (until(item))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
        }
        return events;
    }
}
