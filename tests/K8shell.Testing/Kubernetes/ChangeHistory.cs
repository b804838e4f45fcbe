namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The bounded log of recent changes and the open watches, as etcd's history and the watch cache are
/// to the real server: a watch may start from any revision still in the log; older ones get 410 Gone.
/// Every method runs under the store's lock.
/// </summary>
internal sealed class ChangeHistory(int capacity)
{
    private readonly Queue<Change> _changes = new();
    private readonly List<WatchSubscription> _watches = [];

    /// <summary>The log holds every change after this revision.</summary>
    public long CompactedRevision { get; private set; }

    /// <summary>Watches clients opened (the kubelet's own are not counted).</summary>
    public int ExternalWatchCount => _watches.Count(watch => watch.Request.External);

    public void Record(Change change)
    {
        _changes.Enqueue(change);
        while (_changes.Count > capacity)
        {
            CompactedRevision = _changes.Dequeue().Revision;
        }
        foreach (var watch in _watches)
        {
            watch.Offer(change);
        }
    }

    /// <summary>Registers <paramref name="watch"/> after replaying what it missed; false when that is no longer known.</summary>
    public bool Add(WatchSubscription watch, long fromRevision)
    {
        if (fromRevision < CompactedRevision)
        {
            return false;
        }
        foreach (var change in _changes.Where(change => change.Revision > fromRevision))
        {
            watch.Offer(change);
        }
        _watches.Add(watch);
        return true;
    }

    public void Remove(WatchSubscription watch) => _watches.Remove(watch);

    /// <summary>Forgets every change up to <paramref name="revision"/>.</summary>
    public void Compact(long revision)
    {
        _changes.Clear();
        CompactedRevision = revision;
    }

    /// <summary>Ends the streams of the watches clients opened (they reconnect, as after an API server restart).</summary>
    public void CloseExternal()
    {
        foreach (var watch in _watches.Where(watch => watch.Request.External).ToList())
        {
            watch.Close();
            _watches.Remove(watch);
        }
    }

    public void CloseAll()
    {
        foreach (var watch in _watches)
        {
            watch.Close();
        }
        _watches.Clear();
    }
}
