using k8s;
using k8s.Models;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>Label and field selectors on list and deletecollection, and paging.</summary>
public sealed class SelectorTests
{
    [Theory]
    [InlineData("app=web", "a,b")]
    [InlineData("app==web", "a,b")]
    [InlineData("app!=web", "c,d")]
    [InlineData("tier in (front, back)", "a,b")]
    [InlineData("tier notin (front)", "b,c,d")]
    [InlineData("tier", "a,b")]
    [InlineData("!tier", "c,d")]
    [InlineData("app=web,tier=back", "b")]
    [InlineData("app in (web,db), !tier", "c")]
    [InlineData("k8shell.io/username=alice", "d")]
    [InlineData("", "a,b,c,d")]
    public async Task Label_selectors_pick_what_the_real_server_picks(string selector, string expected)
    {
        await using var cluster = await WithLabelledMapsAsync();
        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: selector, cancellationToken: Token);
        Assert.Equal(expected, string.Join(',', list.Items.Select(map => map.Metadata.Name)));
    }

    [Fact]
    public async Task A_field_selector_on_the_name_picks_one_object()
    {
        await using var cluster = await WithLabelledMapsAsync();
        var list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=c", cancellationToken: Token);
        Assert.Equal("c", Assert.Single(list.Items).Metadata.Name);
        list = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name!=c", labelSelector: "app=web", cancellationToken: Token);
        Assert.Equal(["a", "b"], list.Items.Select(map => map.Metadata.Name));
    }

    [Fact]
    public async Task Delete_collection_removes_only_what_the_selector_matches()
    {
        await using var cluster = await WithLabelledMapsAsync();
        await cluster.Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync("default", labelSelector: "app=web", cancellationToken: Token);
        var left = await cluster.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        Assert.Equal(["c", "d"], left.Items.Select(map => map.Metadata.Name));
    }

    [Fact]
    public async Task Lists_page_with_limit_and_continue()
    {
        await using var cluster = await WithLabelledMapsAsync();
        var api = cluster.Client.CoreV1;
        var first = await api.ListNamespacedConfigMapAsync("default", limit: 3, cancellationToken: Token);
        Assert.Equal(["a", "b", "c"], first.Items.Select(map => map.Metadata.Name));
        Assert.Equal(1, first.Metadata.RemainingItemCount);
        var second = await api.ListNamespacedConfigMapAsync("default", limit: 3, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Token);
        Assert.Equal(["d"], second.Items.Select(map => map.Metadata.Name));
        Assert.Null(second.Metadata.ContinueProperty);
    }

    [Fact]
    public async Task Listing_across_namespaces_sees_every_namespace()
    {
        await using var cluster = await StartAsync(new() { Namespaces = ["default", "team-a"] });
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("x") }, "default", cancellationToken: Token);
        await api.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("x") }, "team-a", cancellationToken: Token);

        var all = await api.ListConfigMapForAllNamespacesAsync(cancellationToken: Token);
        Assert.Equal(["default", "team-a"], all.Items.Select(map => map.Metadata.NamespaceProperty));
        Assert.Single((await api.ListNamespacedConfigMapAsync("team-a", cancellationToken: Token)).Items);
    }

    private static async Task<EmulatedCluster> WithLabelledMapsAsync()
    {
        var cluster = await StartAsync();
        var labels = new Dictionary<string, Dictionary<string, string>?>
        {
            ["a"] = new() { ["app"] = "web", ["tier"] = "front" },
            ["b"] = new() { ["app"] = "web", ["tier"] = "back" },
            ["c"] = new() { ["app"] = "db" },
            ["d"] = new() { ["k8shell.io/username"] = "alice" },
        };
        foreach (var (name, set) in labels)
        {
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta(name, set) }, "default", cancellationToken: Token);
        }
        return cluster;
    }
}
