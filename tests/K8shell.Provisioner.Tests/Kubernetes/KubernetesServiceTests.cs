using Grpc.Core;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Testing.Kubernetes;
using static K8shell.Provisioner.Tests.Kubernetes.WorkspaceCluster;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>The real Provisioner process with <c>Provisioner:Backend=kubernetes</c>, against the API-server emulator.</summary>
public sealed class KubernetesServiceTests(ProvisionerFixture fixture) : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("k8shell-provisioner-k8s-").FullName;

    [Fact]
    public async Task Provisioning_through_the_service_makes_the_pod_relays_its_events_and_deletes_it()
    {
        await using var cluster = await WorkspaceCluster.StartAsync();
        await using var provisioner = await fixture.StartProvisionerAsync(_data, new()
        {
            ["Provisioner__Backend"] = "kubernetes",
            ["Provisioner__Kubernetes__Namespace"] = Namespace,
            ["Provisioner__Kubernetes__Kubeconfig"] = cluster.Options.Kubeconfig,
            ["Provisioner__Kubernetes__K8shelldImage"] = K8shelldImage,
            ["Provisioner__Kubernetes__JwksUrl"] = cluster.Options.JwksUrl,
        });
        var client = ProvisionerFixture.ClientOf(provisioner, fixture.CallerToken);

        var provisioning = await Provisioning.RunAsync(client, "alice~dev");

        Assert.True(provisioning.Final.Status == WorkspaceStatus.Running, provisioning.Final.ToString());
        var name = provisioning.Handshake.Workspace;
        var pod = cluster.Stored("pods", name);
        Assert.Equal(provisioning.Handshake.JobId, (string?)pod["metadata"]!["labels"]!["k8shell.io/job-id"]);
        Assert.Contains(provisioning.Events, @event => @event.Type == ProvisionEvent.Types.Type.Event && @event.Message.StartsWith("Scheduled: "));
        var workspace = await client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = name }, cancellationToken: Token);
        Assert.Equal(("kubernetes", $"{name}.{Namespace}.svc.cluster.local", 2822u, "alice~dev"), (workspace.Backend, workspace.ServerName, workspace.Port, workspace.Userstr));

        await client.DeleteWorkspaceAsync(new DeleteWorkspaceRequest { Workspace = name }, cancellationToken: Token);

        Assert.Empty(cluster.Labelled("pods", name).Concat(cluster.Labelled("configmaps", name)));
    }

    [Fact]
    public async Task An_image_that_cannot_be_pulled_fails_the_start_and_leaves_nothing()
    {
        await using var cluster = await WorkspaceCluster.StartAsync();
        cluster.Kubelet.FailImage($"{Registry}/debian:bookworm", PodFailure.ImagePull);
        await using var provisioner = await fixture.StartProvisionerAsync(_data, new()
        {
            ["Provisioner__Backend"] = "kubernetes",
            ["Provisioner__Kubernetes__Namespace"] = Namespace,
            ["Provisioner__Kubernetes__Kubeconfig"] = cluster.Options.Kubeconfig,
            ["Provisioner__Kubernetes__K8shelldImage"] = K8shelldImage,
            ["Provisioner__Kubernetes__DefaultRegistry"] = Registry,
            ["Provisioner__Kubernetes__JwksUrl"] = cluster.Options.JwksUrl,
        });
        var client = ProvisionerFixture.ClientOf(provisioner, fixture.CallerToken);

        var provisioning = await Provisioning.RunAsync(client, "bob~dev");

        Assert.Equal(WorkspaceStatus.Failing, provisioning.Final.Status);
        Assert.Contains(provisioning.Events, @event => @event.Severity == ProvisionEvent.Types.Severity.Critical);
        Assert.Empty(cluster.Labelled("pods", provisioning.Handshake.Workspace).Concat(cluster.Labelled("persistentvolumeclaims", provisioning.Handshake.Workspace)));
        var lookup = await Assert.ThrowsAsync<RpcException>(() => client.FindWorkspaceAsync(new FindWorkspaceRequest { Workspace = provisioning.Handshake.Workspace }, cancellationToken: Token).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
