using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>The bytes on the wire, read with a plain HTTP client: what any Kubernetes client, not only KubernetesClient, relies on.</summary>
public sealed class WireFormatTests
{
    [Fact]
    public async Task The_watch_path_form_streams_one_json_object_per_line()
    {
        await using var cluster = await StartAsync(new() { Kubelet = null });
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("a") }, "default", cancellationToken: Token);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.Emulator.Url) };

        using var response = await http.GetAsync("/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead, Token);
        var body = await response.Content.ReadAsStringAsync(Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("\n", body);
        using var line = JsonDocument.Parse(Assert.Single(body.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("ADDED", line.RootElement.GetProperty("type").GetString());
        Assert.Equal("ConfigMap", line.RootElement.GetProperty("object").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task List_items_carry_no_kind_of_their_own_as_on_a_real_server()
    {
        await using var cluster = await StartAsync(new() { Kubelet = null });
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = Meta("a") }, "default", cancellationToken: Token);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.Emulator.Url) };

        using var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/namespaces/default/configmaps", Token));

        Assert.Equal("ConfigMapList", list.RootElement.GetProperty("kind").GetString());
        var item = Assert.Single(list.RootElement.GetProperty("items").EnumerateArray());
        Assert.False(item.TryGetProperty("kind", out _));
    }

    [Theory]
    [InlineData("/api/v1/namespaces/default/deployments")]
    [InlineData("/apis/apps/v1/namespaces/default/deployments")]
    [InlineData("/api/v1/namespaces/default/pods/alice-dev/exec")]
    public async Task Resources_the_emulator_does_not_serve_are_404_with_a_status(string path)
    {
        await using var cluster = await StartAsync(new() { Kubelet = null });
        using var http = new HttpClient { BaseAddress = new Uri(cluster.Emulator.Url) };

        using var response = await http.GetAsync(path, Token);
        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Status", status.RootElement.GetProperty("kind").GetString());
        Assert.Equal("NotFound", status.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Every_request_is_logged_for_tests_to_inspect()
    {
        await using var cluster = await StartAsync(new() { Kubelet = null });
        await cluster.Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web", cancellationToken: Token);
        var request = Assert.Single(cluster.Emulator.Requests);
        Assert.StartsWith("GET /api/v1/namespaces/default/pods?labelSelector=app", request);
    }
}
