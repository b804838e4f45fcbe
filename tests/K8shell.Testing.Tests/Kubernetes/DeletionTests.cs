using System.Net;
using k8s;
using k8s.Models;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>Deletion beyond one object: namespaces and their content, owner references, finalizers.</summary>
public sealed class DeletionTests
{
    [Fact]
    public async Task A_deleted_namespace_terminates_and_takes_its_content_with_it()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var ns = await api.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("workspaces") }, cancellationToken: Token);
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal("workspaces", ns.Metadata.Labels["kubernetes.io/metadata.name"]);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("settings") }, "workspaces", cancellationToken: Token);

        await api.DeleteNamespaceAsync("workspaces", cancellationToken: Token);

        Assert.Null(cluster.Emulator.Find("configmaps", "workspaces", "settings"));
        Assert.DoesNotContain((await api.ListNamespaceAsync(cancellationToken: Token)).Items, n => n.Metadata.Name == "workspaces");
        var (code, status) = await RefusalAsync(() => api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("late") }, "workspaces", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("namespaces \"workspaces\" not found", status.Message);
    }

    [Fact]
    public async Task Objects_go_with_the_owner_their_owner_references_name()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var owner = await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("owner") }, "default", cancellationToken: Token);
        var dependent = Meta("dependent");
        dependent.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid }];
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = dependent }, "default", cancellationToken: Token);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("bystander") }, "default", cancellationToken: Token);

        await api.DeleteNamespacedConfigMapAsync("owner", "default", cancellationToken: Token);

        var left = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        Assert.Equal(["bystander"], left.Items.Select(c => c.Metadata.Name));
    }

    [Fact]
    public async Task Finalizers_hold_an_object_in_terminating_until_they_are_removed()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var meta = Meta("held");
        meta.Finalizers = ["k8shell.io/cleanup"];
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = meta }, "default", cancellationToken: Token);

        await api.DeleteNamespacedConfigMapAsync("held", "default", cancellationToken: Token);
        var terminating = await api.ReadNamespacedConfigMapAsync("held", "default", cancellationToken: Token);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);

        await api.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", "default", cancellationToken: Token);
        Assert.Null(cluster.Emulator.Find("configmaps", "default", "held"));
    }

    [Fact]
    public async Task A_namespace_with_a_running_pod_goes_once_the_kubelet_has_stopped_the_pod()
    {
        await using var cluster = await StartAsync(new() { Namespaces = ["default", "workspaces"] });
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedPodAsync(ResourceTests.Pod("alice-dev"), "workspaces", cancellationToken: Token);
        await cluster.WaitForPodAsync("alice-dev", KubeletTests.IsReady, "became Ready", ns: "workspaces");

        await api.DeleteNamespaceAsync("workspaces", cancellationToken: Token);

        var terminating = await api.ReadNamespaceAsync("workspaces", cancellationToken: Token);
        Assert.Equal("Terminating", terminating.Status.Phase);
        Assert.True(await Eventually.WaitAsync(() => cluster.Emulator.Find("namespaces", null, "workspaces") is null, TimeSpan.FromSeconds(10), Token));
        Assert.Empty(cluster.Emulator.FindAll("pods", "workspaces"));
    }
}
