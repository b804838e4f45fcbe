using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// Dynamic provisioning, simulated: a new PVC with a storage class is bound to a made-up volume of
/// the size it requests; one with an empty storage class gets FailedBinding (no volume to bind); one of
/// a storage class the test made fail gets ProvisioningFailed. Pods wait for their claims to be bound.
/// </summary>
internal sealed class VolumeBinder
{
    private readonly SimulatedKubelet _kubelet;
    private readonly ConcurrentDictionary<string, bool> _failingClasses = new();
    private readonly ConcurrentDictionary<string, bool> _seen = new();
    private readonly Task _watching;

    public VolumeBinder(SimulatedKubelet kubelet, CancellationToken stopping)
    {
        _kubelet = kubelet;
        var claims = kubelet.Store.Watch(new WatchRequest(ResourceKind.PersistentVolumeClaims, null, _ => true, FromRevision: null, External: false));
        _watching = Task.Run(() => WatchAsync(claims, stopping));
    }

    public void Fail(string storageClassName) => _failingClasses[storageClassName] = true;

    public void ClearFailures() => _failingClasses.Clear();

    public Task StoppedAsync() => _watching;

    private async Task WatchAsync(WatchSubscription claims, CancellationToken cancellationToken)
    {
        using var subscription = claims;
        var binding = new List<Task>();
        try
        {
            await foreach (var item in claims.Items.ReadAllAsync(cancellationToken))
            {
                var claim = JsonNode.Parse(item.Json)!.AsObject();
                if (item.Type is "ADDED" or "MODIFIED"
                    && claim.Text("status", "phase") == "Pending"
                    && claim.Text("spec", "volumeName") is null or ""
                    && !claim.IsTerminating()
                    && _seen.TryAdd(claim.Uid()!, true))
                {
                    binding.Add(BindAsync(claim, cancellationToken));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(binding);
    }

    private async Task BindAsync(JsonObject claim, CancellationToken cancellationToken)
    {
        try
        {
            var storageClass = claim.Text("spec", "storageClassName") ?? "";
            for (var attempt = 0; storageClass.Length == 0 || _failingClasses.ContainsKey(storageClass); attempt++)
            {
                if (storageClass.Length == 0)
                {
                    _kubelet.Events.Warning(claim, ResourceKind.PersistentVolumeClaims, null, "FailedBinding",
                        "no persistent volumes available for this claim and no storage class is set", "persistentvolume-controller");
                }
                else
                {
                    _kubelet.Events.Warning(claim, ResourceKind.PersistentVolumeClaims, null, "ProvisioningFailed",
                        $"failed to provision volume with StorageClass \"{storageClass}\": the emulator was told to fail this storage class", EventRecorder.VolumeProvisioner);
                }
                await Task.Delay(_kubelet.Options.BackOffBefore(attempt), cancellationToken);
                if (_kubelet.Store.Find(ResourceKind.PersistentVolumeClaims, claim.Namespace(), claim.Name()!)?.Uid() != claim.Uid())
                {
                    return;
                }
            }
            await Task.Delay(_kubelet.Options.VolumeBindingDelay, cancellationToken);
            var volume = $"pvc-{claim.Uid()}";
            var bound = _kubelet.Store.Mutate(ResourceKind.PersistentVolumeClaims, claim.Namespace(), claim.Name()!, claim.Uid(), pvc =>
            {
                pvc.Child("spec")["volumeName"] = volume;
                pvc["status"] = new JsonObject
                {
                    ["phase"] = "Bound",
                    ["accessModes"] = pvc["spec"]?["accessModes"]?.DeepClone(),
                    ["capacity"] = new JsonObject { ["storage"] = pvc["spec"]?["resources"]?["requests"]?["storage"]?.DeepClone() ?? "1Gi" },
                };
            });
            if (bound is not null)
            {
                _kubelet.Events.Normal(bound, ResourceKind.PersistentVolumeClaims, null, "ProvisioningSucceeded",
                    $"Successfully provisioned volume {volume}", EventRecorder.VolumeProvisioner);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
