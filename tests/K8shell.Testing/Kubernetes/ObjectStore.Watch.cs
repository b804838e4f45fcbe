namespace K8shell.Testing.Kubernetes;

/// <summary>
/// Watches on the store: from now with every current object first, or from a past revision still in
/// the history (else one ERROR 410 Expired event), bookmarks, and the test hooks that close watches
/// and compact the history.
/// </summary>
internal sealed partial class ObjectStore
{
    public WatchSubscription Watch(WatchRequest request)
    {
        lock (_gate)
        {
            var watch = new WatchSubscription(request, Unsubscribe);
            if (request.FromRevision is not { } from || from == 0)
            {
                foreach (var obj in Stored(request.Kind, request.Namespace))
                {
                    watch.SendInitial(obj);
                }
                if (request.InitialEventsEndBookmark)
                {
                    watch.Bookmark(_revision, initialEventsEnd: true);
                }
                _history.Add(watch, _revision);
            }
            else if (!_history.Add(watch, Math.Min(from, _revision)))
            {
                watch.Fail(ApiException.Expired($"too old resource version: {from} ({_history.CompactedRevision + 1})"));
            }
            return watch;
        }
    }

    /// <summary>Queues a BOOKMARK at the current revision: everything before it is already queued.</summary>
    public void Bookmark(WatchSubscription watch)
    {
        lock (_gate)
        {
            watch.Bookmark(_revision);
        }
    }

    public void CloseExternalWatches()
    {
        lock (_gate)
        {
            _history.CloseExternal();
        }
    }

    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Compact(_revision);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _history.CloseAll();
        }
    }

    private void Unsubscribe(WatchSubscription watch)
    {
        lock (_gate)
        {
            _history.Remove(watch);
        }
    }
}
