using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// Writes core/v1 Events about an object as the kubelet and scheduler do: involvedObject, reason,
/// message, type, source, first/last timestamps, and a repeat of the same event counted on the
/// existing one (count and lastTimestamp go up) instead of a new object.
/// </summary>
internal sealed class EventRecorder(ObjectStore store, string nodeName)
{
    public const string Kubelet = "kubelet";
    public const string Scheduler = "default-scheduler";
    public const string VolumeProvisioner = "k8shell-emulator-provisioner";

    private readonly ConcurrentDictionary<string, string> _names = new();
    private long _sequence;

    public void Normal(JsonObject involved, ResourceKind kind, string? fieldPath, string reason, string message, string component = Kubelet) =>
        Record(involved, kind, fieldPath, "Normal", reason, message, component);

    public void Warning(JsonObject involved, ResourceKind kind, string? fieldPath, string reason, string message, string component = Kubelet) =>
        Record(involved, kind, fieldPath, "Warning", reason, message, component);

    private void Record(JsonObject involved, ResourceKind kind, string? fieldPath, string type, string reason, string message, string component)
    {
        var ns = involved.Namespace() ?? "default";
        var key = string.Join('|', involved.Uid(), fieldPath, type, reason, message, component);
        var now = ObjectFields.Now();
        try
        {
            if (_names.TryGetValue(key, out var existing)
                && store.Mutate(ResourceKind.Events, ns, existing, null, e =>
                {
                    e["count"] = (e.Number("count") ?? 1) + 1;
                    e["lastTimestamp"] = now;
                }) is not null)
            {
                return;
            }
            var name = $"{involved.Name()}.{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 + Interlocked.Increment(ref _sequence) % 1_000_000:x}";
            var involvedObject = new JsonObject
            {
                ["kind"] = kind.Kind,
                ["namespace"] = ns,
                ["name"] = involved.Name(),
                ["uid"] = involved.Uid(),
                ["apiVersion"] = kind.ApiVersion,
                ["resourceVersion"] = involved.ResourceVersion(),
            };
            if (fieldPath is not null)
            {
                involvedObject["fieldPath"] = fieldPath;
            }
            var source = new JsonObject { ["component"] = component };
            if (component == Kubelet)
            {
                source["host"] = nodeName;
            }
            store.Create(ResourceKind.Events, ns, new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["involvedObject"] = involvedObject,
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = source,
                ["firstTimestamp"] = now,
                ["lastTimestamp"] = now,
                ["count"] = 1,
                ["type"] = type,
                ["eventTime"] = null,
                ["reportingComponent"] = component,
                ["reportingInstance"] = component == Kubelet ? nodeName : "",
            });
            _names[key] = name;
        }
        catch (ApiException)
        {
            // The namespace is gone or terminating: the real kubelet's event is dropped too.
        }
    }
}
