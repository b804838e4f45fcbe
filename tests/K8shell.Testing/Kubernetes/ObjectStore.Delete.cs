using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>A delete's options, from the query string or a <c>DeleteOptions</c> body.</summary>
internal sealed record DeleteOptions(
    long? GracePeriodSeconds = null,
    string? PropagationPolicy = null,
    string? PreconditionUid = null,
    string? PreconditionResourceVersion = null,
    bool DryRun = false);

/// <summary>
/// Deletion as the real server does it: a scheduled pod, or anything with finalizers, first gets a
/// deletionTimestamp and stays (terminating) until its kubelet finishes it or the finalizers are gone;
/// a namespace deletes its content first; dependents named by ownerReferences go with their owner.
/// </summary>
internal sealed partial class ObjectStore
{
    /// <summary>The object as the delete left it, and whether it is gone (false: terminating).</summary>
    public (JsonObject Object, bool Gone) Delete(ResourceKind kind, string? ns, string name, DeleteOptions options)
    {
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            var current = _objects.GetValueOrDefault(key) ?? throw ApiException.NotFound(kind, name);
            if (options.PreconditionUid is { Length: > 0 } uid && uid != current.Uid())
            {
                throw ApiException.Conflict(kind, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
            }
            if (options.PreconditionResourceVersion is { Length: > 0 } version && version != current.ResourceVersion())
            {
                throw ApiException.Conflict(kind, name, $"Precondition failed: ResourceVersion in precondition: {version}, ResourceVersion in object meta: {current.ResourceVersion()}");
            }
            if (options.DryRun)
            {
                return (Copy(current), true);
            }
            var (obj, gone) = DeleteLocked(key, current, options);
            return (Copy(obj), gone);
        }
    }

    /// <summary>Deletes every match; what each delete left behind.</summary>
    public List<JsonObject> DeleteCollection(ResourceKind kind, string? ns, Func<JsonObject, bool> filter, DeleteOptions options)
    {
        lock (_gate)
        {
            var matches = _objects.Where(pair => pair.Key.Kind == kind && (ns is null || pair.Key.Namespace == ns) && filter(pair.Value)).ToList();
            return options.DryRun
                ? matches.Select(pair => Copy(pair.Value)).ToList()
                : matches.Select(pair => Copy(DeleteLocked(pair.Key, pair.Value, options).Object)).ToList();
        }
    }

    private (JsonObject Object, bool Gone) DeleteLocked(ObjectKey key, JsonObject current, DeleteOptions options)
    {
        var grace = key.Kind == ResourceKind.Pods ? PodGracePeriod(current, options) : 0;
        var hasFinalizers = current["metadata"]?["finalizers"] is JsonArray { Count: > 0 };
        if (current.IsTerminating())
        {
            // Already on its way out: only a shorter grace period (a force delete) changes anything.
            if (key.Kind == ResourceKind.Pods && grace == 0)
            {
                var forced = CommitLocked(key, current, Terminating(current, 0), dryRun: false);
                return (forced, !_objects.ContainsKey(key));
            }
            return (current, false);
        }
        if (key.Kind == ResourceKind.Namespaces)
        {
            return DeleteNamespaceLocked(key, current);
        }
        if (grace > 0 || hasFinalizers)
        {
            return (CommitLocked(key, current, Terminating(current, grace), dryRun: false), false);
        }
        return (RemoveLocked(key, current, options.PropagationPolicy), true);
    }

    /// <summary>A pod bound to a node waits for its kubelet; an unscheduled one goes at once.</summary>
    private static long PodGracePeriod(JsonObject pod, DeleteOptions options)
    {
        if (pod.Text("spec", "nodeName") is not { Length: > 0 })
        {
            return 0;
        }
        var requested = options.GracePeriodSeconds ?? pod.Number("spec", "terminationGracePeriodSeconds") ?? 30;
        return Math.Max(0, requested);
    }

    private static JsonObject Terminating(JsonObject current, long grace)
    {
        var next = Copy(current);
        var metadata = next.Metadata();
        metadata["deletionTimestamp"] = ObjectFields.Timestamp(DateTimeOffset.UtcNow.AddSeconds(grace));
        metadata["deletionGracePeriodSeconds"] = grace;
        return next;
    }

    /// <summary>After a write: an object that is terminating and has nothing left to wait for goes.</summary>
    private void RemoveIfFinishedLocked(ObjectKey key, JsonObject obj)
    {
        if (!obj.IsTerminating()
            || obj["metadata"]?["finalizers"] is JsonArray { Count: > 0 }
            || key.Kind == ResourceKind.Namespaces
            || (key.Kind == ResourceKind.Pods && obj.Number("metadata", "deletionGracePeriodSeconds") > 0))
        {
            return;
        }
        RemoveLocked(key, obj, propagationPolicy: null);
    }

    private JsonObject RemoveLocked(ObjectKey key, JsonObject current, string? propagationPolicy)
    {
        _objects.Remove(key);
        var removed = Copy(current);
        removed.Metadata()["resourceVersion"] = (++_revision).ToString();
        Publish(key.Kind, "DELETED", current, removed);
        if (propagationPolicy != "Orphan" && removed.Uid() is { } uid)
        {
            DeleteDependentsLocked(uid, key);
        }
        if (key.Kind.Namespaced)
        {
            FinishNamespaceLocked(key.Namespace);
        }
        return removed;
    }

    /// <summary>Garbage collection: objects whose ownerReferences name the removed owner (background propagation).</summary>
    private void DeleteDependentsLocked(string ownerUid, ObjectKey owner)
    {
        var dependents = _objects
            .Where(pair => (!owner.Kind.Namespaced || pair.Key.Namespace == owner.Namespace)
                && (pair.Value["metadata"]?["ownerReferences"] as JsonArray ?? []).Any(reference => reference.Text("uid") == ownerUid))
            .ToList();
        foreach (var (key, _) in dependents)
        {
            if (_objects.TryGetValue(key, out var dependent))
            {
                DeleteLocked(key, dependent, new DeleteOptions());
            }
        }
    }

    /// <summary>A namespace turns Terminating, its content is deleted, and it goes once it is empty.</summary>
    private (JsonObject Object, bool Gone) DeleteNamespaceLocked(ObjectKey key, JsonObject current)
    {
        var terminating = Terminating(current, 0);
        terminating.Child("status")["phase"] = "Terminating";
        CommitLocked(key, current, terminating, dryRun: false);
        var content = _objects.Where(pair => pair.Key.Kind.Namespaced && pair.Key.Namespace == key.Name).Select(pair => pair.Key).ToList();
        foreach (var contentKey in content)
        {
            if (_objects.TryGetValue(contentKey, out var obj) && !obj.IsTerminating())
            {
                DeleteLocked(contentKey, obj, new DeleteOptions());
            }
        }
        FinishNamespaceLocked(key.Name);
        return _objects.TryGetValue(key, out var left) ? (left, false) : (terminating, true);
    }

    private void FinishNamespaceLocked(string ns)
    {
        var key = Key(ResourceKind.Namespaces, null, ns);
        if (_objects.TryGetValue(key, out var namespaceObject)
            && namespaceObject.IsTerminating()
            && !_objects.Keys.Any(other => other.Kind.Namespaced && other.Namespace == ns))
        {
            RemoveLocked(key, namespaceObject, propagationPolicy: null);
        }
    }
}
