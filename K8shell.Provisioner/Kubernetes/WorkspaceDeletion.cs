using k8s;
namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// Removes everything labelled with a workspace's canonical ID (reference §7.3): the pod first, waited
/// for, so its claims are no longer in use, then services, config maps, secrets, claims and network
/// policies. Shared claims carry no canonical ID and stay.
/// </summary>
internal sealed class WorkspaceDeletion(KubernetesApi api, PodDeletion pods)
{
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var ns = api.Namespace;
        var selector = WorkspaceMetadata.Selector(name);
        var podList = await api.CallAsync("list pods", client => client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        foreach (var pod in podList.Items)
        {
            await pods.DeleteAsync(pod.Metadata.Name, cancellationToken);
        }

        var services = await api.CallAsync("list services", client => client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        foreach (var item in services.Items.Select(item => item.Metadata.Name))
        {
            await api.DeleteAsync($"delete service \"{item}\"", client => client.CoreV1.DeleteNamespacedServiceAsync(item, ns, cancellationToken: cancellationToken), cancellationToken);
        }
        var maps = await api.CallAsync("list config maps", client => client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        foreach (var item in maps.Items.Select(item => item.Metadata.Name))
        {
            await api.DeleteAsync($"delete config map \"{item}\"", client => client.CoreV1.DeleteNamespacedConfigMapAsync(item, ns, cancellationToken: cancellationToken), cancellationToken);
        }
        var secrets = await api.CallAsync("list secrets", client => client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        foreach (var item in secrets.Items.Select(item => item.Metadata.Name))
        {
            await api.DeleteAsync($"delete secret \"{item}\"", client => client.CoreV1.DeleteNamespacedSecretAsync(item, ns, cancellationToken: cancellationToken), cancellationToken);
        }
        var claims = await api.CallAsync("list claims", client => client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        foreach (var item in claims.Items.Where(claim => claim.Metadata.Labels?.ContainsKey(WorkspaceManifest.SharedStorageLabel) != true).Select(item => item.Metadata.Name))
        {
            await api.DeleteAsync($"delete claim \"{item}\"", client => client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(item, ns, cancellationToken: cancellationToken), cancellationToken);
        }
        var policies = await api.CallAsync("list network policies", client => client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: selector, cancellationToken: cancellationToken), cancellationToken);
        foreach (var item in policies.Items.Select(item => item.Metadata.Name))
        {
            await api.DeleteAsync($"delete network policy \"{item}\"", client => client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(item, ns, cancellationToken: cancellationToken), cancellationToken);
        }
    }
}
