using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>Which part of an object a write may change, as the main resource and <c>/status</c> split it.</summary>
internal enum WriteScope
{
    /// <summary>Everything but status (for kinds with a status subresource) and server-owned metadata.</summary>
    Main,

    /// <summary>Only status.</summary>
    Status,
}

/// <summary>
/// The objects of the emulated cluster, in memory: JSON objects keyed by (kind, namespace, name), one
/// resourceVersion counter for everything, server-set uid, creationTimestamp and generation, and every
/// change recorded for watches. The HTTP layer and the simulated kubelet are both clients of it.
/// Objects handed out are copies; stored ones are never changed in place (the history shares them).
/// </summary>
internal sealed partial class ObjectStore(int historyLimit) : IDisposable
{
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, JsonObject> _objects = [];
    private readonly ChangeHistory _history = new(historyLimit);
    private readonly ObjectDefaults _defaults = new();
    private long _revision;

    private readonly record struct ObjectKey(ResourceKind Kind, string Namespace, string Name);

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    public int ExternalWatchCount
    {
        get
        {
            lock (_gate)
            {
                return _history.ExternalWatchCount;
            }
        }
    }

    public JsonObject Create(ResourceKind kind, string? ns, JsonObject body, bool dryRun = false)
    {
        lock (_gate)
        {
            return Copy(CreateLocked(kind, ns, body, dryRun));
        }
    }

    public JsonObject Get(ResourceKind kind, string? ns, string name) =>
        Find(kind, ns, name) ?? throw ApiException.NotFound(kind, name);

    public JsonObject? Find(ResourceKind kind, string? ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(kind, ns, name), out var obj) ? Copy(obj) : null;
        }
    }

    /// <summary>Matching objects ordered by namespace and name, and the revision they are current at.</summary>
    public (List<JsonObject> Items, long Revision) List(ResourceKind kind, string? ns, Func<JsonObject, bool> filter)
    {
        lock (_gate)
        {
            return (Stored(kind, ns).Where(filter).Select(Copy).ToList(), _revision);
        }
    }

    /// <summary>A client's replace or patch: <paramref name="change"/> gets a copy of the current object and returns the desired one.</summary>
    public JsonObject Update(ResourceKind kind, string? ns, string name, Func<JsonObject, JsonObject> change, WriteScope scope, bool dryRun = false)
    {
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            var current = _objects.GetValueOrDefault(key) ?? throw ApiException.NotFound(kind, name);
            var desired = change(Copy(current));
            CheckType(kind, desired);
            if (desired.Name() is { } bodyName && bodyName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }
            if (kind.Namespaced && desired.Namespace() is { } bodyNamespace && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            if (desired.ResourceVersion() is { Length: > 0 } version && version != current.ResourceVersion())
            {
                throw ApiException.Modified(kind, name);
            }
            if (desired.Uid() is { Length: > 0 } uid && uid != current.Uid())
            {
                throw ApiException.Conflict(kind, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid()}");
            }
            var next = scope == WriteScope.Status ? WithStatusOf(current, desired) : WithServerFieldsOf(current, desired, kind.HasStatus);
            ObjectValidation.Check(kind, next);
            ObjectDefaults.OnWrite(kind, next, current);
            return Copy(CommitLocked(key, current, next, dryRun));
        }
    }

    /// <summary>Server-side apply as create-or-merge: the applied configuration is merged onto the live object.</summary>
    public (JsonObject Object, bool Created) Apply(ResourceKind kind, string? ns, string name, JsonObject applied, WriteScope scope, bool dryRun = false)
    {
        lock (_gate)
        {
            if (!_objects.ContainsKey(Key(kind, ns, name)))
            {
                if (scope == WriteScope.Status)
                {
                    throw ApiException.NotFound(kind, name);
                }
                var body = Copy(applied);
                body.Metadata()["name"] ??= name;
                if (body.Name() != name)
                {
                    throw ApiException.BadRequest($"the name of the object ({body.Name()}) does not match the name on the URL ({name})");
                }
                return (Copy(CreateLocked(kind, ns, body, dryRun)), true);
            }
            return (Update(kind, ns, name, current => (JsonObject)MergePatch.Apply(current, applied)!, scope, dryRun), false);
        }
    }

    /// <summary>
    /// A controller's write (the kubelet's): any part of the object, no preconditions. Null when the
    /// object is gone or is another one by now (<paramref name="uid"/> differs: deleted and recreated).
    /// </summary>
    public JsonObject? Mutate(ResourceKind kind, string? ns, string name, string? uid, Action<JsonObject> change)
    {
        lock (_gate)
        {
            var key = Key(kind, ns, name);
            if (!_objects.TryGetValue(key, out var current) || (uid is not null && current.Uid() != uid))
            {
                return null;
            }
            var next = Copy(current);
            change(next);
            return Copy(CommitLocked(key, current, next, dryRun: false));
        }
    }

    private JsonObject CreateLocked(ResourceKind kind, string? ns, JsonObject body, bool dryRun)
    {
        var obj = Copy(body);
        CheckType(kind, obj);
        var metadata = obj.Metadata();
        if (kind.Namespaced)
        {
            if (metadata.Text("namespace") is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            metadata["namespace"] = ns ?? throw ApiException.BadRequest("a namespaced object is created in a namespace");
        }
        else
        {
            metadata.Remove("namespace");
        }
        var name = metadata.Text("name");
        if (string.IsNullOrEmpty(name))
        {
            if (metadata.Text("generateName") is not { Length: > 0 } prefix)
            {
                throw ApiException.Invalid(kind, "", "metadata.name", "Required value: name or generateName is required");
            }
            name = prefix + string.Concat(Enumerable.Range(0, 5).Select(_ => SuffixAlphabet[Random.Shared.Next(SuffixAlphabet.Length)]));
            metadata["name"] = name;
        }
        if (kind.Namespaced)
        {
            RequireLiveNamespace(kind, ns!, name);
        }
        ObjectValidation.Check(kind, obj);
        var key = Key(kind, ns, name);
        if (_objects.ContainsKey(key))
        {
            throw ApiException.AlreadyExists(kind, name);
        }
        foreach (var serverField in new[] { "uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" })
        {
            metadata.Remove(serverField);
        }
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = ObjectFields.Now();
        metadata["generation"] = 1;
        if (kind.HasStatus)
        {
            obj.Remove("status");
        }
        _defaults.OnCreate(kind, obj);
        ObjectDefaults.OnWrite(kind, obj, previous: null);
        if (dryRun)
        {
            return obj;
        }
        metadata["resourceVersion"] = (++_revision).ToString();
        _objects[key] = obj;
        Publish(kind, "ADDED", null, obj);
        return obj;
    }

    /// <summary>Stores <paramref name="next"/> in place of <paramref name="current"/> unless nothing changed (no new revision then, as on the real server).</summary>
    private JsonObject CommitLocked(ObjectKey key, JsonObject current, JsonObject next, bool dryRun)
    {
        var metadata = next.Metadata();
        // With the same version, an unchanged object is equal as a whole: no copies to compare.
        metadata["resourceVersion"] = current.ResourceVersion();
        if (JsonNode.DeepEquals(current, next))
        {
            return current;
        }
        if (ObjectFields.SpecChanged(current, next))
        {
            metadata["generation"] = (current.Number("metadata", "generation") ?? 0) + 1;
        }
        if (dryRun)
        {
            return next;
        }
        metadata["resourceVersion"] = (++_revision).ToString();
        _objects[key] = next;
        Publish(key.Kind, "MODIFIED", current, next);
        RemoveIfFinishedLocked(key, next);
        return next;
    }

    private void Publish(ResourceKind kind, string type, JsonObject? old, JsonObject obj) =>
        _history.Record(new Change(_revision, kind, type, old, obj, obj.ToJsonString()));

    private void RequireLiveNamespace(ResourceKind kind, string ns, string name)
    {
        if (!_objects.TryGetValue(Key(ResourceKind.Namespaces, null, ns), out var namespaceObject))
        {
            throw ApiException.NotFound(ResourceKind.Namespaces, ns);
        }
        if (namespaceObject.IsTerminating())
        {
            throw ApiException.Forbidden($"{kind.QualifiedName} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    private IEnumerable<JsonObject> Stored(ResourceKind kind, string? ns) => _objects
        .Where(pair => pair.Key.Kind == kind && (ns is null || pair.Key.Namespace == ns))
        .OrderBy(pair => pair.Key.Namespace, StringComparer.Ordinal)
        .ThenBy(pair => pair.Key.Name, StringComparer.Ordinal)
        .Select(pair => pair.Value);

    private static ObjectKey Key(ResourceKind kind, string? ns, string name) => new(kind, kind.Namespaced ? ns ?? "" : "", name);

    private static JsonObject Copy(JsonObject obj) => (JsonObject)obj.DeepClone();

    private static void CheckType(ResourceKind kind, JsonObject obj)
    {
        if (obj.Text("apiVersion") is { } apiVersion && apiVersion != kind.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({kind.ApiVersion})");
        }
        if (obj.Text("kind") is { } objectKind && objectKind != kind.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({objectKind}) does not match the expected kind ({kind.Kind})");
        }
        obj["apiVersion"] = kind.ApiVersion;
        obj["kind"] = kind.Kind;
    }

    /// <summary>The desired object with what only the server sets (uid, timestamps, deletion state) and, for the main resource, the live status.</summary>
    private static JsonObject WithServerFieldsOf(JsonObject current, JsonObject desired, bool keepStatus)
    {
        var next = Copy(desired);
        var metadata = next.Metadata();
        foreach (var field in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name" })
        {
            metadata.Remove(field);
            if (current["metadata"]?[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }
        if (keepStatus)
        {
            next.Remove("status");
            if (current["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
        }
        return next;
    }

    private static JsonObject WithStatusOf(JsonObject current, JsonObject desired)
    {
        var next = Copy(current);
        next["status"] = desired["status"]?.DeepClone();
        return next;
    }
}
