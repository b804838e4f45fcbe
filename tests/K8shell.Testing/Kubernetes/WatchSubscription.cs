using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// One stored change, kept in the history for watches that start in the past. <c>Old</c> (null for
/// ADDED) decides whether a filtered watch sees it as ADDED, MODIFIED or DELETED; <c>Json</c> is the
/// new object serialized once, sent as is to every watch.
/// </summary>
internal sealed record Change(long Revision, ResourceKind Kind, string Type, JsonObject? Old, JsonObject New, string Json);

/// <summary>One line of a watch stream: the event type and the object as JSON.</summary>
internal readonly record struct WatchItem(string Type, string Json);

/// <summary>
/// What a watch asks for. <c>Namespace</c> null: every namespace. <c>FromRevision</c> null: every
/// current object comes as ADDED first (resourceVersion unset or "0"). <c>External</c>: a client's HTTP
/// watch (closed by <see cref="KubernetesEmulator.CloseWatches"/>), not the kubelet's own.
/// </summary>
internal sealed record WatchRequest(
    ResourceKind Kind,
    string? Namespace,
    Func<JsonObject, bool> Filter,
    long? FromRevision,
    bool InitialEventsEndBookmark = false,
    bool External = true);

/// <summary>
/// A watch's queue of events. The store fills it under its lock, so events arrive in revision order
/// and a bookmark never claims a revision whose events are not already queued.
/// </summary>
internal sealed class WatchSubscription(WatchRequest request, Action<WatchSubscription> unsubscribe) : IDisposable
{
    private readonly Channel<WatchItem> _items = Channel.CreateUnbounded<WatchItem>(new UnboundedChannelOptions { SingleReader = true });

    public WatchRequest Request => request;

    public ChannelReader<WatchItem> Items => _items.Reader;

    /// <summary>Turns a change into what this watch sees of it, given its filter before and after.</summary>
    public void Offer(Change change)
    {
        if (change.Kind != request.Kind || (request.Namespace is { } ns && change.New.Namespace() != ns))
        {
            return;
        }
        var now = request.Filter(change.New);
        var before = change.Old is not null && request.Filter(change.Old);
        var type = change.Type switch
        {
            "ADDED" => now ? "ADDED" : null,
            "DELETED" => now ? "DELETED" : null,
            _ => (before, now) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
        if (type is not null)
        {
            _items.Writer.TryWrite(new WatchItem(type, change.Json));
        }
    }

    public void SendInitial(JsonObject obj)
    {
        if (request.Filter(obj))
        {
            _items.Writer.TryWrite(new WatchItem("ADDED", obj.ToJsonString()));
        }
    }

    /// <summary>A BOOKMARK: the client has seen everything up to <paramref name="revision"/>.</summary>
    public void Bookmark(long revision, bool initialEventsEnd = false)
    {
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString() };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }
        var bookmark = new JsonObject
        {
            ["kind"] = request.Kind.Kind,
            ["apiVersion"] = request.Kind.ApiVersion,
            ["metadata"] = metadata,
        };
        _items.Writer.TryWrite(new WatchItem("BOOKMARK", bookmark.ToJsonString()));
    }

    /// <summary>Ends the stream with an ERROR event, as the server does for a too old resourceVersion.</summary>
    public void Fail(ApiException error)
    {
        _items.Writer.TryWrite(new WatchItem("ERROR", error.ToStatus().ToJsonString()));
        Close();
    }

    public void Close() => _items.Writer.TryComplete();

    public void Dispose()
    {
        Close();
        unsubscribe(this);
    }
}
