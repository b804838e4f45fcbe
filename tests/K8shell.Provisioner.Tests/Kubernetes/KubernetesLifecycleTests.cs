using K8shell.Contracts.Provisioner.V1;
using K8shell.Testing;
using K8shell.Testing.Kubernetes;
using static K8shell.Provisioner.Tests.Kubernetes.KubernetesApplyTests;
using static K8shell.Provisioner.Tests.Kubernetes.WorkspaceCluster;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>Stop, start again, delete, and how workspaces are described in each state.</summary>
public sealed class KubernetesLifecycleTests
{
    private static readonly string[] Owned = ["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "networkpolicies"];

    [Fact]
    public async Task Stop_deletes_only_the_pod_and_a_new_apply_makes_it_again_on_the_same_claims()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev");
        await cluster.ApplyAsync(spec);
        var pod = cluster.Stored("pods", spec.Name);
        var uids = Owned.Skip(1).ToDictionary(kind => kind, kind => cluster.Labelled(kind, spec.Name).Select(name => Uid(cluster, kind, name)).ToList());

        await cluster.Backend.StopAsync(spec.Name, Token);

        Assert.Null(cluster.Emulator.Find("pods", Namespace, spec.Name));
        Assert.Equal(uids, Owned.Skip(1).ToDictionary(kind => kind, kind => cluster.Labelled(kind, spec.Name).Select(name => Uid(cluster, kind, name)).ToList()));
        Assert.Equal(WorkspaceStatus.Stopped, (await cluster.Backend.FindAsync(spec.Name, Token))!.WorkspaceStatus.Status);

        var reports = await cluster.ApplyAsync(spec);

        Assert.Equal(WorkspaceStatus.Running, reports[^1].Status);
        Assert.NotEqual(Text(pod, "metadata", "uid"), Uid(cluster, "pods", spec.Name));
        Assert.Equal(uids["persistentvolumeclaims"], [Uid(cluster, "persistentvolumeclaims", $"pvc-{spec.Name}-home")]);
        // The claim's events from its first binding are history, not news of this start.
        Assert.DoesNotContain(reports, r => r.ObjectName == $"pvc-{spec.Name}-home");

        await cluster.Backend.StopAsync(spec.Name, Token);
        await cluster.Backend.StopAsync(spec.Name, Token);
    }

    [Fact]
    public async Task Delete_removes_everything_with_the_canonical_id_and_keeps_the_shared_claim()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev");
        var other = Specs.Of("alice~web", Specs.Dev with { Name = "web" });
        await cluster.ApplyAsync(spec);
        await cluster.ApplyAsync(other);
        await CreateSecretAsync(cluster, $"{spec.Name}-token", spec.Name);

        await cluster.Backend.DeleteAsync(spec.Name, Token);

        foreach (var kind in Owned)
        {
            Assert.Empty(cluster.Labelled(kind, spec.Name));
        }
        foreach (var kind in Owned.Except(["secrets"]))
        {
            Assert.NotEmpty(cluster.Labelled(kind, other.Name));
        }
        Assert.NotNull(cluster.Emulator.Find("persistentvolumeclaims", Namespace, "pvc-datasets-v1"));
        Assert.Null(await cluster.Backend.FindAsync(spec.Name, Token));
        await cluster.Backend.DeleteAsync(spec.Name, Token);
    }

    [Fact]
    public async Task Find_and_list_describe_running_stopped_and_failing_workspaces()
    {
        await using var cluster = await StartAsync();
        var running = Specs.Of("alice~dev", jobId: "job-running");
        var stopped = Specs.Of("carol~repo=acme/portal+ref=v1.2", Specs.Dev with { Name = "repo-acme-portal" });
        var failing = Specs.Of("bob~broken", Specs.Dev with { Name = "broken", Image = "broken:1" });
        cluster.Kubelet.FailImage($"{Registry}/broken:1", PodFailure.ImagePull);
        await cluster.ApplyAsync(running);
        await cluster.ApplyAsync(stopped);
        await cluster.Backend.StopAsync(stopped.Name, Token);
        Assert.Equal(WorkspaceStatus.Failing, (await cluster.ApplyAsync(failing))[^1].Status);
        // The start ends at the kubelet's event; the container's state follows it into the pod.
        Assert.True(await Eventually.WaitAsync(async () => (await cluster.Backend.FindAsync(failing.Name, Token))?.WorkspaceStatus.Status == WorkspaceStatus.Failing,
            TimeSpan.FromSeconds(10), Token));

        var listed = await cluster.Backend.ListAsync(Token);

        Assert.Equal(new[] { running.Name, stopped.Name, failing.Name }.Order(StringComparer.Ordinal), listed.Select(w => w.Name));
        var byName = listed.ToDictionary(w => w.Name);

        var alice = byName[running.Name];
        Assert.Equal(alice, await cluster.Backend.FindAsync(running.Name, Token));
        Assert.Equal(WorkspaceStatus.Running, alice.WorkspaceStatus.Status);
        Assert.Equal(("alice", "Acme Corp", "dev", "alice~dev"), (alice.Username, alice.Organization, alice.Blueprint, alice.Userstr));
        Assert.Equal(($"{running.Name}.{Namespace}.svc.cluster.local", 2822u, Namespace), (alice.ServerName, alice.Port, alice.Namespace));
        Assert.Equal(("kubernetes", "standalone", "dev", "job-running"), (alice.Backend, alice.WorkspaceType, alice.Origin, alice.JobId));
        Assert.Equal(("2", "4Gi", running.Name, "0.1.0"), (alice.Cpu, alice.Memory, alice.Hostname, alice.AppVersion));
        Assert.Equal("127.0.0.1", alice.PodIp);
        Assert.Equal("Welcome to dev, {{.Username}}.", alice.Splash);
        Assert.NotNull(alice.WorkspaceStatus.Created);
        Assert.Equal(0u, alice.WorkspaceStatus.Restarts);

        var carol = byName[stopped.Name];
        Assert.Equal(carol, await cluster.Backend.FindAsync(stopped.Name, Token));
        Assert.Equal(WorkspaceStatus.Stopped, carol.WorkspaceStatus.Status);
        Assert.Equal(("carol", "acme", "portal", "v1.2"), (carol.Username, carol.RepoOwner, carol.RepoName, carol.RepoRef));
        Assert.Equal(("acme/portal", "repo-acme-portal", stopped.UserString.Canonical), (carol.Origin, carol.Blueprint, carol.Userstr));
        Assert.Equal(("", $"{stopped.Name}.{Namespace}.svc.cluster.local"), (carol.PodIp, carol.ServerName));

        var bob = byName[failing.Name];
        Assert.Equal(WorkspaceStatus.Failing, bob.WorkspaceStatus.Status);
        Assert.Contains("ImagePull", bob.WorkspaceStatus.Message);

        Assert.Null(await cluster.Backend.FindAsync("nobody-0000000", Token));
    }

    private static string Uid(WorkspaceCluster cluster, string kind, string name) => Text(cluster.Stored(kind, name), "metadata", "uid")!;

    private static async Task CreateSecretAsync(WorkspaceCluster cluster, string name, string id)
    {
        using var http = new HttpClient();
        var body = $$$"""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"{{{name}}}","labels":{"k8shell.io/canonical-id":"{{{id}}}"}},"stringData":{"pat":"x"}}""";
        using var response = await http.PostAsync($"{cluster.Emulator.Url}/api/v1/namespaces/{Namespace}/secrets",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Token);
        response.EnsureSuccessStatusCode();
    }
}
