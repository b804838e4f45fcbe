using System.Text;
using System.Text.Json.Nodes;
using K8shell.Contracts.Provisioner.V1;
using K8shell.Provisioner.Workspaces;
using K8shell.Testing.Kubernetes;
using static K8shell.Provisioner.Tests.Kubernetes.WorkspaceCluster;

namespace K8shell.Provisioner.Tests.Kubernetes;

/// <summary>What an apply makes, asserted on the objects the API-server emulator stores.</summary>
public sealed class KubernetesApplyTests
{
    [Fact]
    public async Task Apply_makes_the_pod_service_config_maps_claims_and_policy_labelled_with_the_canonical_id()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev");
        var id = spec.Name;

        var reports = await cluster.ApplyAsync(spec);

        Assert.Equal(WorkspaceStatus.Running, reports[^1].Status);
        Assert.Equal([id], cluster.Labelled("pods", id));
        Assert.Equal([id], cluster.Labelled("services", id));
        Assert.Equal([$"{id}-files", $"{id}-k8shelld-config"], cluster.Labelled("configmaps", id));
        Assert.Equal([$"pvc-{id}-home"], cluster.Labelled("persistentvolumeclaims", id));
        Assert.Equal([$"np-{id}-workspace"], cluster.Labelled("networkpolicies", id));
        Assert.Empty(cluster.Labelled("secrets", id));

        foreach (var resource in new[] { "pods", "services", "configmaps", "persistentvolumeclaims", "networkpolicies" })
        {
            foreach (var obj in cluster.Emulator.FindAll(resource, Namespace).Where(o => Text(o, "metadata", "labels", WorkspaceLabels.CanonicalId) == id))
            {
                var labels = obj["metadata"]!["labels"]!;
                Assert.Equal("k8shell-provisioner", Text(labels, "app.kubernetes.io/managed-by"));
                Assert.Equal("dev", Text(labels, "k8shell.io/blueprint"));
                Assert.Equal("alice", Text(labels, "k8shell.io/username"));
                Assert.Equal("Acme-Corp", Text(labels, "k8shell.io/organization"));
            }
        }

        // The shared claim is shared: not the workspace's, so no canonical ID on it.
        var shared = cluster.Stored("persistentvolumeclaims", "pvc-datasets-v1");
        Assert.Null(Text(shared, "metadata", "labels", WorkspaceLabels.CanonicalId));
        Assert.Equal("ReadWriteMany", Text(shared, "spec", "accessModes", "0"));
        var home = cluster.Stored("persistentvolumeclaims", $"pvc-{id}-home");
        Assert.Equal(("ReadWriteOnce", "10Gi"), (Text(home, "spec", "accessModes", "0"), Text(home, "spec", "resources", "requests", "storage")));

        var service = cluster.Stored("services", id);
        Assert.Equal("ClusterIP", Text(service, "spec", "type"));
        Assert.Equal(id, Text(service, "spec", "selector", WorkspaceLabels.CanonicalId));
        var port = service["spec"]!["ports"]!.AsArray().Single()!;
        Assert.Equal(("grpc-api", 2822), (Text(port, "name"), port["port"]!.GetValue<int>()));

        var files = cluster.Stored("configmaps", $"{id}-files");
        Assert.Equal("Have fun\n", Text(files, "data", "__etc__motd"));
        Assert.Equal("a=1\n", Text(files, "data", "__etc__k8shell-extra__settings.conf"));
    }

    [Fact]
    public async Task The_pod_copies_k8shelld_in_runs_it_as_root_with_its_config_probes_limits_and_volumes()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev", jobId: "job-1");
        var id = spec.Name;
        await cluster.ApplyAsync(spec);

        var pod = cluster.Stored("pods", id);
        var metadata = pod["metadata"]!;
        Assert.Equal("job-1", Text(metadata, "labels", WorkspaceLabels.JobId));
        Assert.Equal("0.1.0", Text(metadata, "labels", WorkspaceLabels.K8shelldVersion));
        Assert.Equal("workspace", Text(metadata, "labels", WorkspaceLabels.NetworkPolicy));
        Assert.Equal("alice~dev", Encoding.UTF8.GetString(Convert.FromBase64String(Text(metadata, "annotations", WorkspaceLabels.UserStr)!)));
        Assert.Equal("Acme Corp", Text(metadata, "annotations", WorkspaceLabels.Identity));
        Assert.Matches("^[0-9a-f]{64}$", Text(metadata, "annotations", WorkspaceLabels.ManifestHash));

        var podSpec = pod["spec"]!;
        Assert.Equal(("OnFailure", "false", "false"), (Text(podSpec, "restartPolicy"), Text(podSpec, "enableServiceLinks"), Text(podSpec, "automountServiceAccountToken")));
        var init = podSpec["initContainers"]!.AsArray().Single()!;
        Assert.Equal("init-base", Text(init, "name"));
        Assert.Equal($"{Registry}/{K8shelldImage}", Text(init, "image"));
        Assert.Equal(["cp", "/usr/local/bin/k8shelld", "/k8shell/bin/k8shelld"], Strings(init["command"]));
        Assert.Equal(("k8shell-bin", "/k8shell/bin"), (Text(init, "volumeMounts", "0", "name"), Text(init, "volumeMounts", "0", "mountPath")));

        var main = podSpec["containers"]!.AsArray().Single()!;
        Assert.Equal("k8shell-main", Text(main, "name"));
        Assert.Equal($"{Registry}/debian:12", Text(main, "image"));
        Assert.Equal("IfNotPresent", Text(main, "imagePullPolicy"));
        Assert.Equal(["/usr/local/k8shell/bin/k8shelld"], Strings(main["command"]));
        Assert.Equal(("K8SHELLD_CONFIG", "/etc/k8shell/k8shelld.json"), (Text(main, "env", "0", "name"), Text(main, "env", "0", "value")));
        Assert.Equal(("/health", "2823"), (Text(main, "readinessProbe", "httpGet", "path"), Text(main, "readinessProbe", "httpGet", "port")));
        Assert.Equal(("/alive", "2823"), (Text(main, "livenessProbe", "httpGet", "path"), Text(main, "livenessProbe", "httpGet", "port")));
        Assert.Equal(("2", "4Gi"), (Text(main, "resources", "limits", "cpu"), Text(main, "resources", "limits", "memory")));
        Assert.Equal(("100m", "128Mi"), (Text(main, "resources", "requests", "cpu"), Text(main, "resources", "requests", "memory")));
        Assert.Equal(("0", "0"), (Text(main, "securityContext", "runAsUser"), Text(main, "securityContext", "runAsGroup")));
        Assert.Equal(["grpc-api:2822", "health:2823"], main["ports"]!.AsArray().Select(p => $"{Text(p!, "name")}:{Text(p!, "containerPort")}"));

        var mounts = main["volumeMounts"]!.AsArray().ToDictionary(m => Text(m!, "mountPath")!, m => (Name: Text(m!, "name"), SubPath: Text(m!, "subPath"), ReadOnly: Text(m!, "readOnly")));
        Assert.Equal(("k8shell-bin", null, "true"), mounts["/usr/local/k8shell/bin"]);
        Assert.Equal(("k8shelld-config", null, "true"), mounts["/etc/k8shell"]);
        Assert.Equal(("storage-home", null, "false"), mounts["/home"]);
        Assert.Equal(("storage-cache", null, "false"), mounts["/var/cache/work"]);
        Assert.Equal(("storage-datasets", null, "true"), mounts["/data"]);
        Assert.Equal(("ext-files", "__etc__motd", "true"), mounts["/etc/motd"]);
        Assert.Equal(("ext-files", "__etc__k8shell-extra__settings.conf", "true"), mounts["/etc/k8shell-extra/settings.conf"]);

        var volumes = podSpec["volumes"]!.AsArray().ToDictionary(v => Text(v!, "name")!, v => v!);
        Assert.NotNull(volumes["k8shell-bin"]["emptyDir"]);
        Assert.Equal($"{id}-k8shelld-config", Text(volumes["k8shelld-config"], "configMap", "name"));
        Assert.Equal($"{id}-files", Text(volumes["ext-files"], "configMap", "name"));
        Assert.Equal($"pvc-{id}-home", Text(volumes["storage-home"], "persistentVolumeClaim", "claimName"));
        Assert.Equal("pvc-datasets-v1", Text(volumes["storage-datasets"], "persistentVolumeClaim", "claimName"));
        Assert.Equal("1Gi", Text(volumes["storage-cache"], "emptyDir", "sizeLimit"));
        Assert.Equal(("Memory", "256Mi"), (Text(volumes["storage-scratch"], "emptyDir", "medium"), Text(volumes["storage-scratch"], "emptyDir", "sizeLimit")));
    }

    [Fact]
    public async Task The_daemon_config_gives_k8shelld_the_workspace_its_user_scripts_environment_and_caller_checks()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev");
        await cluster.ApplyAsync(spec);

        var map = cluster.Stored("configmaps", $"{spec.Name}-k8shelld-config");
        var config = JsonNode.Parse(Text(map, "data", "k8shelld.json")!)!;

        var workspace = config["Workspace"]!;
        Assert.Equal((spec.Name, "alice", "alice"), (Text(workspace, "Name"), Text(workspace, "Owner"), Text(workspace, "User")));
        Assert.Equal(("1000", "1000", "/home/alice", "/bin/bash"), (Text(workspace, "Uid"), Text(workspace, "Gid"), Text(workspace, "Home"), Text(workspace, "Shell")));
        Assert.Equal("Welcome to dev, {{.Username}}.", Text(workspace, "Splash"));
        Assert.Equal(["profile", "tools"], workspace["InitScripts"]!.AsArray().Select(s => Text(s!, "Name")));
        Assert.Equal("echo hello >> ~/.profile", Text(workspace, "InitScripts", "0", "Script"));
        var environment = workspace["Environment"]!;
        Assert.Equal(("vim", "C.UTF-8"), (Text(environment, "EDITOR"), Text(environment, "LANG")));
        Assert.Equal((spec.Name, "dev", "alice", "alice@acme.test", $"{Registry}/debian:12"),
            (Text(environment, "WORKSPACE"), Text(environment, "BLUEPRINT"), Text(environment, "USERNAME"), Text(environment, "USEREMAIL"), Text(environment, "IMAGE")));

        Assert.Equal(cluster.Options.JwksUrl, Text(config, "Auth", "JwksUrl"));
        Assert.Equal(cluster.Options.Issuer, Text(config, "Auth", "Issuer"));
        Assert.Equal(("http://*:2822", "Http2"), (Text(config, "Kestrel", "Endpoints", "grpc", "Url"), Text(config, "Kestrel", "Endpoints", "grpc", "Protocols")));
        Assert.Equal(("http://*:2823", "Http1"), (Text(config, "Kestrel", "Endpoints", "http", "Url"), Text(config, "Kestrel", "Endpoints", "http", "Protocols")));
    }

    [Fact]
    public async Task The_network_policy_lets_the_gateway_in_and_peers_of_the_class_both_ways()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev");
        await cluster.ApplyAsync(spec);

        var policy = cluster.Stored("networkpolicies", $"np-{spec.Name}-workspace");
        var policySpec = policy["spec"]!;
        Assert.Equal(spec.Name, Text(policySpec, "podSelector", "matchLabels", WorkspaceLabels.CanonicalId));
        Assert.Equal(["Ingress", "Egress"], Strings(policySpec["policyTypes"]));
        var gateway = policySpec["ingress"]![0]!;
        Assert.Equal("k8shell", Text(gateway, "from", "0", "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Equal(["ssh-proxy", "api-server"], Strings(gateway["from"]![0]!["podSelector"]!["matchExpressions"]![0]!["values"]));
        Assert.Equal("2822", Text(gateway, "ports", "0", "port"));
        var peers = policySpec["ingress"]![1]!["from"]!;
        Assert.Equal(("Acme-Corp", "dev"), (Text(peers, "0", "podSelector", "matchLabels", WorkspaceLabels.Organization), Text(peers, "0", "podSelector", "matchLabels", WorkspaceLabels.Blueprint)));
        Assert.Equal("system", Text(peers, "1", "podSelector", "matchLabels", WorkspaceLabels.NetworkPolicy));
        var cidrs = policySpec["egress"]!.AsArray().Select(rule => Text(rule!, "to", "0", "ipBlock", "cidr")).OfType<string>().ToList();
        Assert.Equal(["0.0.0.0/0", "10.96.0.0/12", "192.168.10.0/24"], cidrs);
        Assert.Equal(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], Strings(policySpec["egress"]![1]!["to"]![0]!["ipBlock"]!["except"]));

        // The system class may talk to anything: one allow-all rule each way.
        var system = Specs.Of("alice~sys", Specs.Dev with { Name = "sys", Network = new Blueprints.NetworkSettings("system", []) });
        await cluster.ApplyAsync(system);
        var open = cluster.Stored("networkpolicies", $"np-{system.Name}-system")["spec"]!;
        Assert.Equal("[{}]", open["ingress"]!.ToJsonString());
        Assert.Equal("[{}]", open["egress"]!.ToJsonString());
    }

    [Fact]
    public async Task Stages_come_in_the_reference_order_and_the_kubernetes_events_once_each()
    {
        // Slow enough steps that each stage is seen, whatever the machine's load.
        await using var cluster = await StartAsync(new KubeletOptions
        {
            SchedulingDelay = TimeSpan.FromMilliseconds(500),
            InitContainerDuration = TimeSpan.FromMilliseconds(300),
            ContainerStartDelay = TimeSpan.FromMilliseconds(200),
        });
        var spec = Specs.Of("alice~dev");

        var reports = await cluster.ApplyAsync(spec);

        var stages = reports.Where(r => !r.IsBackendEvent).ToList();
        Assert.Equal("Scheduling, Initializing, Starting, Running", Stages(reports));
        Assert.Equal([WorkspaceStatus.Starting, WorkspaceStatus.Starting, WorkspaceStatus.Starting, WorkspaceStatus.Running], stages.Select(s => s.Status));
        Assert.All(stages, s => Assert.Equal(spec.Name, s.ObjectName));
        var events = reports.Where(r => r.IsBackendEvent).ToList();
        Assert.Equal(events.Count, events.Select(e => (e.ObjectName, e.Message)).Distinct().Count());
        Assert.All(events, e => Assert.Equal(ProvisionEvent.Types.Severity.Info, e.Severity));
        var seen = string.Join("\n", events.Select(e => $"{e.ObjectName}: {e.Message}"));
        Assert.True(events.Any(e => e.Message.StartsWith("Scheduled: Successfully assigned workspaces/" + spec.Name, StringComparison.Ordinal)), seen);
        Assert.True(events.Any(e => e.Message == $"Pulling: Pulling image \"{Registry}/debian:12\""), seen);
        Assert.True(events.Any(e => e.Message == "Started: Started container init-base"), seen);
        Assert.True(events.Any(e => e.Message.StartsWith("ProvisioningSucceeded: ", StringComparison.Ordinal) && e.ObjectName == $"pvc-{spec.Name}-home"), seen);
        Assert.False(reports[^1].IsBackendEvent);
    }

    [Fact]
    public async Task Applying_twice_creates_nothing_new_and_reports_running()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev");
        await cluster.ApplyAsync(spec);
        var pod = cluster.Stored("pods", spec.Name);
        var before = cluster.Emulator.Requests.Count;

        var again = await cluster.ApplyAsync(spec with { JobId = "another-job" });

        var report = Assert.Single(again);
        Assert.Equal((WorkspaceStatus.Running, "Running"), (report.Status, report.Stage));
        var requests = cluster.Emulator.Requests.Skip(before).ToList();
        Assert.DoesNotContain(requests, r => r.StartsWith("POST ", StringComparison.Ordinal) || r.StartsWith("PUT ", StringComparison.Ordinal) || r.StartsWith("DELETE ", StringComparison.Ordinal));
        var kept = cluster.Stored("pods", spec.Name);
        Assert.Equal(Text(pod, "metadata", "uid"), Text(kept, "metadata", "uid"));
        Assert.Equal(Text(pod, "metadata", "resourceVersion"), Text(kept, "metadata", "resourceVersion"));
    }

    [Fact]
    public async Task A_changed_blueprint_replaces_the_pod_and_keeps_its_claim()
    {
        await using var cluster = await StartAsync();
        var spec = Specs.Of("alice~dev");
        await cluster.ApplyAsync(spec);
        var pod = cluster.Stored("pods", spec.Name);
        var claim = cluster.Stored("persistentvolumeclaims", $"pvc-{spec.Name}-home");

        var changed = spec with { Blueprint = spec.Blueprint with { Env = new Dictionary<string, string> { ["EDITOR"] = "emacs" }, ExtFiles = new Dictionary<string, string>() } };
        var reports = await cluster.ApplyAsync(changed);

        Assert.Equal(WorkspaceStatus.Running, reports[^1].Status);
        var replaced = cluster.Stored("pods", spec.Name);
        Assert.NotEqual(Text(pod, "metadata", "uid"), Text(replaced, "metadata", "uid"));
        Assert.NotEqual(Text(pod, "metadata", "annotations", WorkspaceLabels.ManifestHash), Text(replaced, "metadata", "annotations", WorkspaceLabels.ManifestHash));
        Assert.Equal(Text(claim, "metadata", "uid"), Text(cluster.Stored("persistentvolumeclaims", $"pvc-{spec.Name}-home"), "metadata", "uid"));
        var config = JsonNode.Parse(Text(cluster.Stored("configmaps", $"{spec.Name}-k8shelld-config"), "data", "k8shelld.json")!)!;
        Assert.Equal("emacs", Text(config, "Workspace", "Environment", "EDITOR"));
        // No extFiles any more: their config map goes.
        Assert.Equal([$"{spec.Name}-k8shelld-config"], cluster.Labelled("configmaps", spec.Name));
    }

    internal static string? Text(JsonNode? node, params string[] path)
    {
        foreach (var step in path)
        {
            node = node is JsonArray array && int.TryParse(step, out var index) ? (index < array.Count ? array[index] : null) : node?[step];
        }
        return node?.ToString();
    }

    internal static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(item => item!.GetValue<string>());
}
