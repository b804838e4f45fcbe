using System.Text;
using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// What the API server fills in on its own when an object is written: pod and container defaults and
/// the initial Pending status, service cluster IPs, a PVC's storage class, a namespace's name label,
/// secrets' <c>stringData</c> folded into <c>data</c>. Code that reads these back finds them as on a cluster.
/// </summary>
internal sealed class ObjectDefaults
{
    private int _serviceAddresses;

    public void OnCreate(ResourceKind kind, JsonObject obj)
    {
        if (kind == ResourceKind.Pods)
        {
            DefaultPod(obj);
        }
        else if (kind == ResourceKind.Services)
        {
            DefaultService(obj);
        }
        else if (kind == ResourceKind.PersistentVolumeClaims)
        {
            var spec = obj.Child("spec");
            spec["volumeMode"] ??= "Filesystem";
            spec["storageClassName"] ??= "standard";
            obj["status"] = new JsonObject { ["phase"] = "Pending" };
        }
        else if (kind == ResourceKind.Namespaces)
        {
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (kind == ResourceKind.Secrets)
        {
            obj["type"] ??= "Opaque";
        }
    }

    /// <summary>On every create and update; <paramref name="previous"/> is null on create.</summary>
    public static void OnWrite(ResourceKind kind, JsonObject obj, JsonObject? previous)
    {
        if (kind == ResourceKind.Secrets && obj["stringData"] is JsonObject stringData)
        {
            var data = obj.Child("data");
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.ToString() ?? ""));
            }
            obj.Remove("stringData");
        }
        else if (kind == ResourceKind.Services && previous is not null)
        {
            // The cluster IP is allocated once; a replace that leaves it out keeps it.
            var spec = obj.Child("spec");
            spec["clusterIP"] ??= previous["spec"]?["clusterIP"]?.DeepClone();
            spec["clusterIPs"] ??= previous["spec"]?["clusterIPs"]?.DeepClone();
        }
        else if (kind == ResourceKind.Namespaces)
        {
            obj.Metadata().Child("labels")["kubernetes.io/metadata.name"] = obj.Name();
        }
    }

    private static void DefaultPod(JsonObject pod)
    {
        var spec = pod.Child("spec");
        spec["restartPolicy"] ??= "Always";
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["securityContext"] ??= new JsonObject();
        spec["enableServiceLinks"] ??= true;
        var withResources = false;
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                var image = container.Text("image") ?? "";
                container["imagePullPolicy"] ??= PullsAlways(image) ? "Always" : "IfNotPresent";
                container["terminationMessagePath"] ??= "/dev/termination-log";
                container["terminationMessagePolicy"] ??= "File";
                container["resources"] ??= new JsonObject();
                withResources |= container["resources"] is JsonObject { Count: > 0 };
            }
        }
        pod["status"] = new JsonObject
        {
            ["phase"] = "Pending",
            ["qosClass"] = withResources ? "Burstable" : "BestEffort",
        };
    }

    /// <summary>Images tagged <c>:latest</c> or not tagged at all are pulled every time.</summary>
    public static bool PullsAlways(string image)
    {
        if (image.Contains('@'))
        {
            return false;
        }
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        return !lastSegment.Contains(':') || lastSegment.EndsWith(":latest", StringComparison.Ordinal);
    }

    private void DefaultService(JsonObject service)
    {
        var spec = service.Child("spec");
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        spec["internalTrafficPolicy"] ??= "Cluster";
        spec["ipFamilies"] ??= new JsonArray("IPv4");
        spec["ipFamilyPolicy"] ??= "SingleStack";
        if (spec.Text("clusterIP") is null or "")
        {
            var n = Interlocked.Increment(ref _serviceAddresses);
            spec["clusterIP"] = $"10.96.{n / 250}.{n % 250 + 1}";
        }
        spec["clusterIPs"] ??= new JsonArray(spec.Text("clusterIP"));
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
        }
        service["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }
}
