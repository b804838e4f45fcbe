using k8s;
using k8s.Models;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Makes a workspace's objects what its manifest says, idempotently: config maps, the Service and the
/// NetworkPolicy by server-side apply (an unchanged object is not written); claims created when missing and
/// never changed (a claim's spec is immutable, and its data is the user's); the pod kept when it carries the
/// same manifest hash, else deleted and made again (a pod's spec is mostly immutable). Objects a changed
/// blueprint no longer wants (the extFiles config map, a policy of another class) are removed.
/// </summary>
internal sealed class WorkspaceApplier(KubernetesApi api, PodDeletion deletion, ILogger logger)
{
    public const string FieldManager = "k8shell-provisioner";

    public async Task<AppliedWorkspace> ApplyAsync(WorkspaceManifest manifest, CancellationToken cancellationToken)
    {
        var ns = api.Namespace;
        foreach (var map in manifest.ConfigMaps)
        {
            await api.CallAsync($"apply config map \"{map.Metadata.Name}\"", client =>
                client.CoreV1.PatchNamespacedConfigMapAsync(Apply(map), map.Metadata.Name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken), cancellationToken);
        }
        var maps = await api.CallAsync("list config maps", client =>
            client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: WorkspaceMetadata.Selector(manifest.Name), cancellationToken: cancellationToken), cancellationToken);
        foreach (var stale in maps.Items.Select(map => map.Metadata.Name).Except(manifest.ConfigMaps.Select(map => map.Metadata.Name)))
        {
            await api.DeleteAsync($"delete config map \"{stale}\"", client => client.CoreV1.DeleteNamespacedConfigMapAsync(stale, ns, cancellationToken: cancellationToken), cancellationToken);
        }

        var claimUids = new Dictionary<string, string>();
        var claimsCreated = new HashSet<string>();
        foreach (var claim in manifest.LocalClaims.Concat(manifest.SharedClaims))
        {
            var name = claim.Metadata.Name;
            var existing = await api.FindAsync($"read claim \"{name}\"", client => client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: cancellationToken), cancellationToken);
            if (existing is null)
            {
                existing = await api.CallAsync($"create claim \"{name}\"", client => client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, ns, cancellationToken: cancellationToken), cancellationToken);
                claimsCreated.Add(name);
            }
            claimUids[name] = existing.Metadata.Uid;
        }
        foreach (var name in manifest.ExistingClaims)
        {
            // Made by someone else; a missing one shows as the pod's FailedScheduling.
            if (await api.FindAsync($"read claim \"{name}\"", client => client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(name, ns, cancellationToken: cancellationToken), cancellationToken) is { } existing)
            {
                claimUids[name] = existing.Metadata.Uid;
            }
        }

        var service = manifest.Service;
        await api.CallAsync($"apply service \"{service.Metadata.Name}\"", client =>
            client.CoreV1.PatchNamespacedServiceAsync(Apply(service), service.Metadata.Name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken), cancellationToken);

        var policy = manifest.NetworkPolicy;
        await api.CallAsync($"apply network policy \"{policy.Metadata.Name}\"", client =>
            client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(Apply(policy), policy.Metadata.Name, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken), cancellationToken);
        var policies = await api.CallAsync("list network policies", client =>
            client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: WorkspaceMetadata.Selector(manifest.Name), cancellationToken: cancellationToken), cancellationToken);
        foreach (var stale in policies.Items.Select(p => p.Metadata.Name).Where(name => name != policy.Metadata.Name))
        {
            await api.DeleteAsync($"delete network policy \"{stale}\"", client => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(stale, ns, cancellationToken: cancellationToken), cancellationToken);
        }

        var (pod, created) = await ApplyPodAsync(manifest, cancellationToken);
        return new AppliedWorkspace(pod, created, claimUids, claimsCreated);
    }

    /// <summary>The pod as the manifest wants it: kept if it has the same hash and has not ended, else made (again).</summary>
    private async Task<(V1Pod Pod, bool Created)> ApplyPodAsync(WorkspaceManifest manifest, CancellationToken cancellationToken)
    {
        var name = manifest.Pod.Metadata.Name;
        while (true)
        {
            var existing = await api.FindAsync($"read pod \"{name}\"", client => client.CoreV1.ReadNamespacedPodAsync(name, api.Namespace, cancellationToken: cancellationToken), cancellationToken);
            if (existing is null)
            {
                try
                {
                    var pod = await api.CallAsync($"create pod \"{name}\"", client => client.CoreV1.CreateNamespacedPodAsync(manifest.Pod, api.Namespace, cancellationToken: cancellationToken), cancellationToken);
                    logger.LogInformation("Created pod {Pod} in {Namespace} (manifest {Hash})", name, api.Namespace, manifest.Hash);
                    return (pod, true);
                }
                catch (KubernetesRefusedException refused) when (refused.StatusCode == 409)
                {
                    // Made by someone else in between: look at it again.
                    continue;
                }
            }
            var hash = existing.Metadata.Annotations?.TryGetValue(Workspaces.WorkspaceLabels.ManifestHash, out var value) == true ? value : null;
            if (existing.Metadata.DeletionTimestamp is null && hash == manifest.Hash && existing.Status?.Phase is not ("Succeeded" or "Failed"))
            {
                return (existing, false);
            }
            if (existing.Metadata.DeletionTimestamp is null)
            {
                logger.LogInformation("Replacing pod {Pod} in {Namespace}: manifest {Old} → {New}, phase {Phase}", name, api.Namespace, hash, manifest.Hash, existing.Status?.Phase);
            }
            await deletion.DeleteAsync(name, cancellationToken);
        }
    }

    /// <summary>A server-side apply body: the object itself, with apiVersion and kind (the manifest sets them).</summary>
    private static V1Patch Apply<T>(T body) where T : IKubernetesObject => new(body, V1Patch.PatchType.ApplyPatch);
}
