using System.Net;
using k8s;
using k8s.Models;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>Refusals reach the client as HttpOperationException carrying the Status the real server would send.</summary>
public sealed class RefusalTests
{
    [Fact]
    public async Task Creating_an_existing_object_is_409_AlreadyExists()
    {
        await using var cluster = await StartAsync();
        var pod = ResourceTests.Pod("alice-dev");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Token);

        var (code, status) = await RefusalAsync(() => cluster.Client.CoreV1.CreateNamespacedPodAsync(pod, "default", cancellationToken: Token));

        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("AlreadyExists", status.Reason);
        Assert.Equal("Failure", status.Status);
        Assert.Equal(409, status.Code);
        Assert.Equal("pods \"alice-dev\" already exists", status.Message);
        Assert.Equal("alice-dev", status.Details.Name);
        Assert.Equal("pods", status.Details.Kind);
    }

    [Fact]
    public async Task Reading_patching_or_deleting_a_missing_object_is_404_NotFound()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var patch = new V1Patch("""{"data":{"a":"b"}}""", V1Patch.PatchType.MergePatch);
        foreach (var call in new Func<Task>[]
        {
            () => api.ReadNamespacedServiceAsync("nope", "default", cancellationToken: Token),
            () => api.PatchNamespacedConfigMapAsync(patch, "nope", "default", cancellationToken: Token),
            () => api.DeleteNamespacedSecretAsync("nope", "default", cancellationToken: Token),
            () => api.ReplaceNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("nope") }, "nope", "default", cancellationToken: Token),
        })
        {
            var (code, status) = await RefusalAsync(call);
            Assert.Equal(HttpStatusCode.NotFound, code);
            Assert.Equal("NotFound", status.Reason);
            Assert.EndsWith("\"nope\" not found", status.Message);
        }
    }

    [Fact]
    public async Task A_write_from_a_stale_resource_version_is_409_Conflict()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var first = await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("settings") }, "default", cancellationToken: Token);
        await api.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"1"}}""", V1Patch.PatchType.MergePatch), "settings", "default", cancellationToken: Token);

        first.Data = new Dictionary<string, string> { ["a"] = "stale" };
        var (code, status) = await RefusalAsync(() => api.ReplaceNamespacedConfigMapAsync(first, "settings", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", status.Message);

        var stalePatch = new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{first.Metadata.ResourceVersion}}}"},"data":{"a":"x"}}""", V1Patch.PatchType.MergePatch);
        (code, _) = await RefusalAsync(() => api.PatchNamespacedConfigMapAsync(stalePatch, "settings", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, code);

        var staleDelete = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = first.Metadata.ResourceVersion } };
        (code, _) = await RefusalAsync(() => api.DeleteNamespacedConfigMapAsync("settings", "default", staleDelete, cancellationToken: Token));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("1", (await api.ReadNamespacedConfigMapAsync("settings", "default", cancellationToken: Token)).Data["a"]);
    }

    [Theory]
    [InlineData("Alice-Dev", "metadata.name")]
    [InlineData("alice_dev", "metadata.name")]
    [InlineData("ok", "metadata.labels")]
    public async Task Names_and_labels_a_cluster_would_refuse_are_422_Invalid(string name, string field)
    {
        await using var cluster = await StartAsync();
        var labels = field == "metadata.labels" ? new Dictionary<string, string> { ["k8shell.io/username"] = "not a label value!" } : null;

        var (code, status) = await RefusalAsync(() => cluster.Client.CoreV1.CreateNamespacedPodAsync(ResourceTests.Pod(name, labels: labels), "default", cancellationToken: Token));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", status.Reason);
        Assert.Contains(field, status.Message);
    }

    [Fact]
    public async Task Config_map_keys_must_be_file_name_like()
    {
        await using var cluster = await StartAsync();
        var map = new V1ConfigMap { Metadata = Meta("files"), Data = new Dictionary<string, string> { ["etc/profile"] = "x" } };
        var (code, status) = await RefusalAsync(() => cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(map, "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("data[etc/profile]", status.Message);
    }

    [Fact]
    public async Task Selectors_the_server_cannot_parse_or_index_are_400_BadRequest()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var (code, _) = await RefusalAsync(() => api.ListNamespacedPodAsync("default", labelSelector: "app in (a", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.BadRequest, code);
        (code, _) = await RefusalAsync(() => api.ListNamespacedPodAsync("default", fieldSelector: "spec.containers=x", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Server_side_apply_without_a_field_manager_is_refused()
    {
        await using var cluster = await StartAsync();
        var apply = new V1Patch(new V1ConfigMap { ApiVersion = "v1", Kind = "ConfigMap", Metadata = Meta("settings") }, V1Patch.PatchType.ApplyPatch);
        var (code, _) = await RefusalAsync(() => cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(apply, "settings", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.BadRequest, code);
    }
}
