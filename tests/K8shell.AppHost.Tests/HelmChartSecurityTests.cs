using System.Text.RegularExpressions;
using k8s.Models;
using K8shell.Testing;

namespace K8shell.AppHost.Tests;

/// <summary>What the chart lets in and out: the Provisioner's API access, the public port, the workspaces' network policy, the pods' privileges.</summary>
public sealed partial class HelmChartSecurityTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("k8shell-chart-").FullName;

    [Fact]
    public async Task The_Provisioner_role_grants_exactly_the_calls_its_Kubernetes_backend_makes()
    {
        var objects = (await PublishedChart.PublishAsync(_output)).Objects();
        var role = Assert.IsType<V1Role>(objects["templates/provisioner/role.yaml"]);

        var granted = role.Rules.SelectMany(rule => from apiGroup in rule.ApiGroups from resource in rule.Resources from verb in rule.Verbs select $"{apiGroup}/{resource}:{verb}").Order();

        // events:get is not called today; reading one event by name is as harmless as listing them.
        Assert.Equal(BackendCalls().Append("/events:get").Distinct().Order(), granted);
        Assert.All(role.Rules, rule => Assert.True(rule.ResourceNames is null && rule.NonResourceURLs is null));
        Assert.Equal("k8shell-workspaces", role.Metadata.NamespaceProperty);
        var binding = Assert.IsType<V1RoleBinding>(objects["templates/provisioner/rolebinding.yaml"]);
        Assert.Equal(("Role", role.Metadata.Name, role.Metadata.NamespaceProperty), (binding.RoleRef.Kind, binding.RoleRef.Name, binding.Metadata.NamespaceProperty));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "provisioner", PublishedChart.ReleaseNamespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal("provisioner", Assert.IsType<V1ServiceAccount>(objects["templates/provisioner/serviceaccount.yaml"]).Metadata.Name);
        // Only the Provisioner's pods hold a token for the API server.
        foreach (var pod in PodSpecs(objects))
        {
            Assert.Equal(pod.Name == "provisioner", pod.Spec.AutomountServiceAccountToken);
            Assert.Equal(pod.Name == "provisioner" ? "provisioner" : null, pod.Spec.ServiceAccountName);
        }
    }

    [Fact]
    public async Task The_SSH_proxy_alone_is_public_as_a_LoadBalancer_on_22_to_its_ssh_port()
    {
        var objects = (await PublishedChart.PublishAsync(_output)).Objects();
        var services = objects.Values.OfType<V1Service>().ToList();

        var external = Assert.Single(services, service => service.Spec.Type != "ClusterIP");
        Assert.Equal(("ssh-proxy-external", "LoadBalancer"), (external.Metadata.Name, external.Spec.Type));
        var port = Assert.Single(external.Spec.Ports);
        Assert.Equal((22, "ssh", "TCP"), (port.Port, port.TargetPort.Value, port.Protocol));
        Assert.Equal("ssh-proxy", external.Spec.Selector["app.kubernetes.io/name"]);
        var proxy = Assert.IsType<V1Deployment>(objects["templates/ssh-proxy/deployment.yaml"]).Spec.Template.Spec.Containers[0];
        Assert.Contains(proxy.Ports, containerPort => containerPort is { Name: "ssh", ContainerPort: 2022 });
    }

    [Fact]
    public async Task Only_the_SSH_proxy_reaches_workspaces_and_only_on_2822()
    {
        var objects = (await PublishedChart.PublishAsync(_output)).Objects();
        var policy = Assert.IsType<V1NetworkPolicy>(objects["templates/workspaces/networkpolicy.yaml"]);

        Assert.Equal("k8shell-workspaces", policy.Metadata.NamespaceProperty);
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        // The pods the Provisioner makes, by the labels it gives them.
        Assert.Equal(ProvisionerConstant("ManagedByValue"), policy.Spec.PodSelector.MatchLabels[ProvisionerConstant("ManagedBy")]);
        Assert.Equal((ProvisionerConstant("Prefix") + "canonical-id", "Exists"), (policy.Spec.PodSelector.MatchExpressions.Single().Key, policy.Spec.PodSelector.MatchExpressions.Single().OperatorProperty));
        var rule = Assert.Single(policy.Spec.Ingress);
        var port = Assert.Single(rule.Ports);
        Assert.Equal(("TCP", "2822"), (port.Protocol, port.Port.Value));
        var from = Assert.Single(rule.FromProperty);
        Assert.Equal(PublishedChart.ReleaseNamespace, from.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Null(from.IpBlock);
        // The selector matches the proxy's pods and no other workload's.
        foreach (var pod in PodSpecs(objects))
        {
            Assert.Equal(pod.Name == "ssh-proxy", from.PodSelector.MatchLabels.All(label => pod.Labels.TryGetValue(label.Key, out var value) && value == label.Value));
        }
    }

    [Fact]
    public async Task Every_pod_is_probed_has_requests_and_runs_unprivileged()
    {
        var objects = (await PublishedChart.PublishAsync(_output)).Objects();

        foreach (var pod in PodSpecs(objects))
        {
            var container = Assert.Single(pod.Spec.Containers);
            Assert.True(pod.Spec.SecurityContext.RunAsNonRoot, pod.Name);
            Assert.NotEqual(0, pod.Spec.SecurityContext.RunAsUser);
            Assert.Equal("RuntimeDefault", pod.Spec.SecurityContext.SeccompProfile.Type);
            Assert.Equal((false, true), (container.SecurityContext.AllowPrivilegeEscalation, container.SecurityContext.ReadOnlyRootFilesystem));
            Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
            Assert.Null(container.SecurityContext.Capabilities.Add);
            Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"), pod.Name);
            Assert.Contains(container.VolumeMounts, mount => mount.MountPath == "/tmp");
            if (pod.Name == "nats")
            {
                Assert.Equal("tcp", container.ReadinessProbe.TcpSocket.Port.Value);
                Assert.Equal("tcp", container.LivenessProbe.TcpSocket.Port.Value);
            }
            else
            {
                Assert.Equal(("/health", "http"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
                Assert.Equal(("/alive", "http"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
            }
        }
        var nats = Assert.IsType<V1StatefulSet>(objects["templates/nats/statefulset.yaml"]);
        var claim = Assert.Single(nats.Spec.VolumeClaimTemplates);
        Assert.Equal(("nats-data", "1Gi"), (claim.Metadata.Name, claim.Spec.Resources.Requests["storage"].ToString()));
        Assert.Contains(nats.Spec.Template.Spec.Containers[0].VolumeMounts, mount => mount is { Name: "nats-data", MountPath: "/var/lib/nats" });
        // A service that keeps files gets a writable volume there, the root file system being read-only.
        var identity = Assert.IsType<V1Deployment>(objects["templates/identity/deployment.yaml"]).Spec.Template.Spec.Containers[0];
        Assert.Contains(identity.VolumeMounts, mount => mount.MountPath == "/var/lib/k8shell");
        Assert.Equal("/var/lib/k8shell", Assert.IsType<V1ConfigMap>(objects["templates/identity/config.yaml"]).Data["Identity__DataDirectory"]);
    }

    public void Dispose() => Directory.Delete(_output, recursive: true);

    private static IEnumerable<(string Name, V1PodSpec Spec, IDictionary<string, string> Labels)> PodSpecs(Dictionary<string, object> objects) =>
        objects.Values.OfType<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template.Spec, d.Spec.Template.Metadata.Labels))
            .Concat(objects.Values.OfType<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template.Spec, s.Spec.Template.Metadata.Labels)));

    /// <summary>
    /// "&lt;group&gt;/&lt;resource&gt;:&lt;verb&gt;" for each KubernetesClient call in K8shell.Provisioner/Kubernetes: what the
    /// backend does, read from its code so the Role follows it. A server-side apply (Patch) of a new object is
    /// also authorized as create.
    /// </summary>
    private static IEnumerable<string> BackendCalls()
    {
        var code = string.Concat(Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "K8shell.Provisioner", "Kubernetes"), "*.cs").Select(File.ReadAllText));
        foreach (Match call in ClientCall().Matches(code))
        {
            var group = call.Groups["api"].Value == "NetworkingV1" ? "networking.k8s.io" : "";
            var resource = call.Groups["kind"].Value switch
            {
                "Pod" => "pods",
                "Service" => "services",
                "ConfigMap" => "configmaps",
                "Secret" => "secrets",
                "PersistentVolumeClaim" => "persistentvolumeclaims",
                "NetworkPolicy" => "networkpolicies",
                "Event" => "events",
                var other => throw new Xunit.Sdk.XunitException($"the backend calls for {other}s: add them to the Role and here"),
            };
            var verbs = call.Groups["verb"].Value switch
            {
                "Read" => ["get"],
                "List" => ["list"],
                "WatchList" => ["watch"],
                "Create" => ["create"],
                "Delete" => ["delete"],
                "Patch" => new[] { "patch", "create" },
                var other => throw new Xunit.Sdk.XunitException($"the backend calls {other}: add it to the Role and here"),
            };
            foreach (var verb in verbs)
            {
                yield return $"{group}/{resource}:{verb}";
            }
        }
    }

    private static string ProvisionerConstant(string name)
    {
        var labels = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "K8shell.Provisioner", "Workspaces", "WorkspaceLabels.cs"));
        var match = Regex.Match(labels, $@"const string {name} = (?:Prefix \+ )?""(?<value>[^""]+)""");
        Assert.True(match.Success, $"WorkspaceLabels.{name} not found");
        return (match.Value.Contains("Prefix + ", StringComparison.Ordinal) ? ProvisionerConstant("Prefix") : "") + match.Groups["value"].Value;
    }

    [GeneratedRegex(@"\.(?<api>CoreV1|NetworkingV1)\.(?<verb>WatchList|Read|List|Create|Delete|Patch|Replace)Namespaced(?<kind>[A-Za-z]+?)(?:Status)?Async")]
    private static partial Regex ClientCall();
}
