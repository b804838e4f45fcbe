using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using static K8shell.Testing.Tests.Kubernetes.EmulatedCluster;

namespace K8shell.Testing.Tests.Kubernetes;

/// <summary>Create, get, list, replace, patch and delete of every kind the emulator serves, through the real client.</summary>
public sealed class ResourceTests
{
    [Fact]
    public async Task Config_maps_go_through_every_verb_with_server_set_metadata()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;

        var created = await api.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = Meta("settings"), Data = new Dictionary<string, string> { ["a"] = "1" } }, "default", cancellationToken: Token);
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal("default", created.Metadata.NamespaceProperty);

        var list = await api.ListNamespacedConfigMapAsync("default", cancellationToken: Token);
        Assert.Equal("settings", Assert.Single(list.Items).Metadata.Name);
        Assert.Equal(created.Metadata.ResourceVersion, list.Metadata.ResourceVersion);

        var read = await api.ReadNamespacedConfigMapAsync("settings", "default", cancellationToken: Token);
        read.Data["a"] = "2";
        var replaced = await api.ReplaceNamespacedConfigMapAsync(read, "settings", "default", cancellationToken: Token);
        Assert.Equal("2", replaced.Data["a"]);
        Assert.True(long.Parse(replaced.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));
        Assert.Equal(created.Metadata.Uid, replaced.Metadata.Uid);

        var patch = new V1Patch("""{"data":{"a":null,"b":"3"}}""", V1Patch.PatchType.MergePatch);
        var patched = await api.PatchNamespacedConfigMapAsync(patch, "settings", "default", cancellationToken: Token);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "3" }, patched.Data);

        var deleted = await api.DeleteNamespacedConfigMapAsync("settings", "default", cancellationToken: Token);
        Assert.Equal("Success", deleted.Status);
        Assert.Equal(created.Metadata.Uid, deleted.Details.Uid);
        var (code, _) = await RefusalAsync(() => api.ReadNamespacedConfigMapAsync("settings", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, code);
    }

    [Fact]
    public async Task Secrets_fold_string_data_into_data_and_default_their_type()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = Meta("token"), StringData = new Dictionary<string, string> { ["pat"] = "s3cret" } }, "default", cancellationToken: Token);

        var secret = await api.ReadNamespacedSecretAsync("token", "default", cancellationToken: Token);
        Assert.Equal("Opaque", secret.Type);
        Assert.Null(secret.StringData);
        Assert.Equal("s3cret", Encoding.UTF8.GetString(secret.Data["pat"]));

        var patched = await api.PatchNamespacedSecretAsync(
            new V1Patch("""{"stringData":{"pat":"rotated"}}""", V1Patch.PatchType.MergePatch), "token", "default", cancellationToken: Token);
        Assert.Equal("rotated", Encoding.UTF8.GetString(patched.Data["pat"]));
        await api.DeleteNamespacedSecretAsync("token", "default", cancellationToken: Token);
        Assert.Empty((await api.ListNamespacedSecretAsync("default", cancellationToken: Token)).Items);
    }

    [Fact]
    public async Task Services_get_a_cluster_ip_that_a_replace_keeps_and_headless_ones_stay_headless()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string> { ["k8shell.io/canonical-id"] = "alice-dev" },
            Ports = [new V1ServicePort { Name = "grpc-api", Port = 2822 }],
        };
        var service = await api.CreateNamespacedServiceAsync(new V1Service { Metadata = Meta("alice-dev"), Spec = spec }, "default", cancellationToken: Token);
        Assert.StartsWith("10.96.", service.Spec.ClusterIP);
        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.Equal("TCP", service.Spec.Ports[0].Protocol);
        Assert.Equal("2822", service.Spec.Ports[0].TargetPort?.Value);

        var replacement = new V1Service { Metadata = Meta("alice-dev", new Dictionary<string, string> { ["x"] = "y" }), Spec = spec };
        var replaced = await api.ReplaceNamespacedServiceAsync(replacement, "alice-dev", "default", cancellationToken: Token);
        Assert.Equal(service.Spec.ClusterIP, replaced.Spec.ClusterIP);

        var headless = await api.CreateNamespacedServiceAsync(
            new V1Service { Metadata = Meta("workspaces"), Spec = new V1ServiceSpec { ClusterIP = "None", Ports = [new V1ServicePort { Port = 2822 }] } },
            "default", cancellationToken: Token);
        Assert.Equal("None", headless.Spec.ClusterIP);

        var deleted = await api.DeleteNamespacedServiceAsync("alice-dev", "default", cancellationToken: Token);
        Assert.Equal(service.Metadata.Uid, deleted.Metadata.Uid);
        Assert.Equal("workspaces", Assert.Single((await api.ListNamespacedServiceAsync("default", cancellationToken: Token)).Items).Metadata.Name);
    }

    [Fact]
    public async Task Persistent_volume_claims_are_bound_to_a_volume_of_the_requested_size()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var created = await api.CreateNamespacedPersistentVolumeClaimAsync(Claim("home"), "default", cancellationToken: Token);
        Assert.Equal("Pending", created.Status.Phase);
        Assert.Equal("standard", created.Spec.StorageClassName);

        var bound = await Until(() => api.ReadNamespacedPersistentVolumeClaimAsync("home", "default", cancellationToken: Token), pvc => pvc.Status.Phase == "Bound");
        Assert.Equal("2Gi", bound.Status.Capacity["storage"].ToString());
        Assert.Equal($"pvc-{created.Metadata.Uid}", bound.Spec.VolumeName);
        Assert.Contains(await cluster.EventsAsync("home"), e => e.Reason == "ProvisioningSucceeded");

        var deleted = await api.DeleteNamespacedPersistentVolumeClaimAsync("home", "default", cancellationToken: Token);
        Assert.Equal("home", deleted.Metadata.Name);
    }

    [Fact]
    public async Task Claims_without_a_storage_class_or_of_a_failing_one_stay_pending_with_warnings()
    {
        await using var cluster = await StartAsync();
        cluster.Kubelet.FailStorageClass("broken");
        var api = cluster.Client.CoreV1;
        await api.CreateNamespacedPersistentVolumeClaimAsync(Claim("unclassed", storageClass: ""), "default", cancellationToken: Token);
        await api.CreateNamespacedPersistentVolumeClaimAsync(Claim("failing", storageClass: "broken"), "default", cancellationToken: Token);

        await Until(() => cluster.EventsAsync("unclassed"), events => events.Any(e => e is { Reason: "FailedBinding", Type: "Warning" }));
        await Until(() => cluster.EventsAsync("failing"), events => events.Any(e => e is { Reason: "ProvisioningFailed", Type: "Warning" }));
        Assert.Equal("Pending", (await api.ReadNamespacedPersistentVolumeClaimAsync("failing", "default", cancellationToken: Token)).Status.Phase);
    }

    [Fact]
    public async Task Network_policies_are_served_under_their_api_group()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.NetworkingV1;
        var policy = new V1NetworkPolicy
        {
            Metadata = Meta("np-alice-dev-workspace", new Dictionary<string, string> { ["k8shell.io/network-policy"] = "workspace" }),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8shell.io/canonical-id"] = "alice-dev" } },
                PolicyTypes = ["Ingress", "Egress"],
                Ingress = [new V1NetworkPolicyIngressRule { Ports = [new V1NetworkPolicyPort { Port = 2822, Protocol = "TCP" }] }],
            },
        };
        var created = await api.CreateNamespacedNetworkPolicyAsync(policy, "default", cancellationToken: Token);
        Assert.Equal("networking.k8s.io/v1", created.ApiVersion);

        var listed = await api.ListNamespacedNetworkPolicyAsync("default", labelSelector: "k8shell.io/network-policy=workspace", cancellationToken: Token);
        Assert.Equal(2822, Assert.Single(listed.Items).Spec.Ingress[0].Ports[0].Port?.Value is { } port ? int.Parse(port) : 0);

        var patched = await api.PatchNamespacedNetworkPolicyAsync(
            new V1Patch("""{"spec":{"policyTypes":["Ingress"]}}""", V1Patch.PatchType.MergePatch), "np-alice-dev-workspace", "default", cancellationToken: Token);
        Assert.Equal(["Ingress"], patched.Spec.PolicyTypes);
        Assert.Equal(2, patched.Metadata.Generation);

        await api.DeleteNamespacedNetworkPolicyAsync("np-alice-dev-workspace", "default", cancellationToken: Token);
        var (code, status) = await RefusalAsync(() => api.ReadNamespacedNetworkPolicyAsync("np-alice-dev-workspace", "default", cancellationToken: Token));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("networkpolicies.networking.k8s.io \"np-alice-dev-workspace\" not found", status.Message);
    }

    [Fact]
    public async Task Events_can_be_written_and_found_by_the_object_they_are_about()
    {
        await using var cluster = await StartAsync();
        var api = cluster.Client.CoreV1;
        var involved = new V1ObjectReference { Kind = "Pod", Name = "alice-dev", NamespaceProperty = "default", Uid = Guid.NewGuid().ToString() };
        await api.CreateNamespacedEventAsync(
            new Corev1Event { Metadata = Meta("alice-dev.1"), InvolvedObject = involved, Reason = "Custom", Message = "hello", Type = "Normal" },
            "default", cancellationToken: Token);
        await api.CreateNamespacedEventAsync(
            new Corev1Event { Metadata = Meta("other.1"), InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "other" }, Reason = "Custom", Type = "Normal" },
            "default", cancellationToken: Token);

        var events = await cluster.EventsAsync("alice-dev");
        Assert.Equal("hello", Assert.Single(events).Message);
        var byReason = await api.ListNamespacedEventAsync("default", fieldSelector: "reason=Custom,involvedObject.kind=Pod", cancellationToken: Token);
        Assert.Equal(2, byReason.Items.Count);
    }

    [Fact]
    public async Task A_pods_status_is_written_through_its_status_subresource_only()
    {
        await using var cluster = await StartAsync(new() { Kubelet = null });
        var api = cluster.Client.CoreV1;
        var pod = await api.CreateNamespacedPodAsync(Pod("alice-dev"), "default", cancellationToken: Token);
        Assert.Equal("Pending", pod.Status.Phase);
        Assert.Equal("Always", pod.Spec.RestartPolicy);
        Assert.Equal("IfNotPresent", pod.Spec.Containers[0].ImagePullPolicy);

        pod.Status.Phase = "Running";
        pod.Metadata.Labels = new Dictionary<string, string> { ["edited"] = "yes" };
        var replaced = await api.ReplaceNamespacedPodAsync(pod, "alice-dev", "default", cancellationToken: Token);
        Assert.Equal("Pending", replaced.Status.Phase);
        Assert.Equal("yes", replaced.Metadata.Labels["edited"]);

        var patched = await api.PatchNamespacedPodStatusAsync(
            new V1Patch("""{"status":{"phase":"Running"},"metadata":{"labels":{"edited":"no"}}}""", V1Patch.PatchType.MergePatch),
            "alice-dev", "default", cancellationToken: Token);
        Assert.Equal("Running", patched.Status.Phase);
        Assert.Equal("yes", patched.Metadata.Labels["edited"]);

        // Not scheduled, so nothing waits for a kubelet: the pod goes at once.
        var deleted = await api.DeleteNamespacedPodAsync("alice-dev", "default", cancellationToken: Token);
        Assert.Equal("alice-dev", deleted.Metadata.Name);
        Assert.Empty((await api.ListNamespacedPodAsync("default", cancellationToken: Token)).Items);
    }

    [Fact]
    public async Task Names_come_from_generate_name_when_asked()
    {
        await using var cluster = await StartAsync();
        var created = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "job-" } }, "default", cancellationToken: Token);
        Assert.Matches("^job-[a-z0-9]{5}$", created.Metadata.Name);
    }

    [Fact]
    public async Task Discovery_and_version_answer_like_a_cluster()
    {
        await using var cluster = await StartAsync();
        var version = await cluster.Client.Version.GetCodeAsync(Token);
        Assert.Equal("1", version.Major);
        var core = await cluster.Client.CoreV1.GetAPIResourcesAsync(Token);
        Assert.Contains(core.Resources, r => r.Name == "pods/status");
        var networking = await cluster.Client.NetworkingV1.GetAPIResourcesAsync(Token);
        Assert.Contains(networking.Resources, r => r is { Name: "networkpolicies", Namespaced: true });
    }

    internal static V1Pod Pod(string name, string image = "registry.example/workspace:1", IDictionary<string, string>? labels = null) => new()
    {
        Metadata = Meta(name, labels),
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "k8shell-main", Image = image }] },
    };

    private static V1PersistentVolumeClaim Claim(string name, string? storageClass = null) => new()
    {
        Metadata = Meta(name),
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            StorageClassName = storageClass,
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("2Gi") } },
        },
    };
}
