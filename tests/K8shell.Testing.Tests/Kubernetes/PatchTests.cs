using System.Net;
using k8s;
using k8s.Models;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>Merge, strategic merge, JSON patch and server-side apply, as the client sends them.</summary>
public sealed class PatchTests
{
    [Fact]
    public async Task A_merge_patch_merges_maps_and_removes_nulls()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster);
        var patch = new V1Patch("""{"metadata":{"labels":{"b":"2","a":null}},"data":{"z":"26"}}""", V1Patch.PatchType.MergePatch);
        var patched = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "settings", "default", cancellationToken: Token);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "yes", ["b"] = "2" }, patched.Metadata.Labels);
        Assert.Equal(new Dictionary<string, string> { ["x"] = "1", ["z"] = "26" }, patched.Data);
    }

    [Fact]
    public async Task A_strategic_merge_patch_is_applied_as_a_merge_patch()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster);
        var patch = new V1Patch(new { metadata = new { annotations = new Dictionary<string, string> { ["k8shell.io/manifest-hash"] = "abc" } } }, V1Patch.PatchType.StrategicMergePatch);
        var patched = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "settings", "default", cancellationToken: Token);
        Assert.Equal("abc", patched.Metadata.Annotations["k8shell.io/manifest-hash"]);
        Assert.Equal("yes", patched.Metadata.Labels["keep"]);
    }

    [Fact]
    public async Task A_json_patch_runs_its_operations_in_order_and_fails_whole_on_a_failed_test()
    {
        await using var cluster = await StartAsync();
        await CreateAsync(cluster);
        var api = cluster.Client.CoreV1;
        var patch = new V1Patch("""
            [
              {"op":"test","path":"/data/x","value":"1"},
              {"op":"add","path":"/data/y","value":"2"},
              {"op":"replace","path":"/data/x","value":"10"},
              {"op":"remove","path":"/metadata/labels/a"},
              {"op":"copy","from":"/data/y","path":"/data/w"}
            ]
            """, V1Patch.PatchType.JsonPatch);
        var patched = await api.PatchNamespacedConfigMapAsync(patch, "settings", "default", cancellationToken: Token);
        Assert.Equal(new Dictionary<string, string> { ["x"] = "10", ["y"] = "2", ["w"] = "2" }, patched.Data);
        Assert.False(patched.Metadata.Labels.ContainsKey("a"));

        var failing = new V1Patch("""[{"op":"add","path":"/data/q","value":"1"},{"op":"test","path":"/data/x","value":"1"}]""", V1Patch.PatchType.JsonPatch);
        var (code, _) = await RefusalAsync(() => api.PatchNamespacedConfigMapAsync(failing, "settings", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.False((await api.ReadNamespacedConfigMapAsync("settings", "default", cancellationToken: Token)).Data.ContainsKey("q"));
    }

    [Fact]
    public async Task Server_side_apply_creates_then_merges_into_the_live_object()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var applied = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Meta("settings", new Dictionary<string, string> { ["app"] = "k8shell" }),
            Data = new Dictionary<string, string> { ["a"] = "1" },
        };
        var created = await api.PatchNamespacedConfigMapAsync(new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "settings", "default",
            fieldManager: "k8shell-provisioner", force: true, cancellationToken: Token);
        Assert.Equal("1", created.Data["a"]);
        Assert.NotNull(created.Metadata.Uid);

        applied.Data = new Dictionary<string, string> { ["b"] = "2" };
        var updated = await api.PatchNamespacedConfigMapAsync(new V1Patch(applied, V1Patch.PatchType.ApplyPatch), "settings", "default",
            fieldManager: "k8shell-provisioner", force: true, cancellationToken: Token);
        Assert.Equal(created.Metadata.Uid, updated.Metadata.Uid);
        Assert.Equal("2", updated.Data["b"]);
        Assert.Equal("k8shell", updated.Metadata.Labels["app"]);
    }

    [Fact]
    public async Task A_patch_that_changes_nothing_keeps_the_resource_version()
    {
        await using var cluster = await StartAsync();
        var created = await CreateAsync(cluster);
        var patch = new V1Patch("""{"data":{"x":"1"}}""", V1Patch.PatchType.MergePatch);
        var patched = await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "settings", "default", cancellationToken: Token);
        Assert.Equal(created.Metadata.ResourceVersion, patched.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Generation_counts_spec_changes_not_metadata_changes()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedServiceAsync(
            new V1Service { Metadata = Meta("svc"), Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 2822 }] } }, "default", cancellationToken: Token);
        var labelled = await api.PatchNamespacedServiceAsync(new V1Patch("""{"metadata":{"labels":{"a":"b"}}}""", V1Patch.PatchType.MergePatch), "svc", "default", cancellationToken: Token);
        Assert.Equal(1, labelled.Metadata.Generation);
        var changed = await api.PatchNamespacedServiceAsync(new V1Patch("""{"spec":{"ports":[{"port":2823}]}}""", V1Patch.PatchType.MergePatch), "svc", "default", cancellationToken: Token);
        Assert.Equal(2, changed.Metadata.Generation);
    }

    private static Task<V1ConfigMap> CreateAsync(EmulatedCluster cluster) => cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
        new V1ConfigMap
        {
            Metadata = Meta("settings", new Dictionary<string, string> { ["a"] = "1", ["keep"] = "yes" }),
            Data = new Dictionary<string, string> { ["x"] = "1" },
        },
        "default", cancellationToken: Token);
}
