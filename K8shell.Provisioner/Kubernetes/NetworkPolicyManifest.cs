using k8s.Models;
using K8shell.Provisioner.Workspaces;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>
/// One NetworkPolicy <c>np-&lt;id&gt;-&lt;class&gt;</c> per workspace, selecting its pod by canonical ID
/// (reference §7.5). Every class but <c>system</c> lets the gateway (ssh-proxy, api-server) in on 2822 and
/// out, and lets the workspace reach the internet but not private ranges, kube-dns, the service network
/// and the blueprint's extra CIDRs; the class adds peers in the namespace: <c>workspace</c> the same
/// organization and blueprint plus <c>system</c> workspaces, <c>user</c> the same organization and user,
/// <c>organization</c> the same organization, <c>isolated</c> none. <c>system</c> is an explicit allow-all
/// policy rather than none, so it holds even where a namespace-wide default-deny policy exists.
/// </summary>
internal static class NetworkPolicyManifest
{
    private static readonly string[] PrivateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

    public static V1NetworkPolicy Build(WorkspaceSpec spec, IDictionary<string, string> labels, KubernetesBackendOptions options)
    {
        var policyClass = spec.Blueprint.Network.PolicyClass;
        var policy = new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta { Name = WorkspaceObjectNames.NetworkPolicy(spec.Name, policyClass), Labels = labels },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkspaceLabels.CanonicalId] = spec.Name } },
                PolicyTypes = ["Ingress", "Egress"],
            },
        };
        if (policyClass == "system")
        {
            policy.Spec.Ingress = [new V1NetworkPolicyIngressRule()];
            policy.Spec.Egress = [new V1NetworkPolicyEgressRule()];
            return policy;
        }

        var gateway = new V1NetworkPolicyPeer
        {
            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = options.GatewayNamespace } },
            PodSelector = new V1LabelSelector
            {
                MatchExpressions = [new V1LabelSelectorRequirement { Key = "app.kubernetes.io/name", OperatorProperty = "In", Values = options.GatewayApps.ToList() }],
            },
        };
        var peers = Peers(policyClass, labels);
        policy.Spec.Ingress =
        [
            new V1NetworkPolicyIngressRule { FromProperty = [gateway], Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = WorkspaceObjectNames.GrpcPort }] },
        ];
        var egress = new List<V1NetworkPolicyEgressRule>
        {
            new() { To = [gateway] },
            new() { To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0", Except = PrivateRanges } }] },
            new()
            {
                To =
                [
                    new V1NetworkPolicyPeer
                    {
                        NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" } },
                        PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
                    },
                ],
                Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
            },
            new() { To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = options.ServiceCidr } }] },
        };
        egress.AddRange(spec.Blueprint.Network.AllowEgressToCidrs.Select(cidr => new V1NetworkPolicyEgressRule { To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = cidr } }] }));
        if (peers.Count > 0)
        {
            policy.Spec.Ingress.Add(new V1NetworkPolicyIngressRule { FromProperty = peers });
            egress.Add(new V1NetworkPolicyEgressRule { To = peers });
        }
        policy.Spec.Egress = egress;
        return policy;
    }

    /// <summary>Workspaces in the same namespace the class lets this one talk to, by their labels.</summary>
    private static List<V1NetworkPolicyPeer> Peers(string policyClass, IDictionary<string, string> labels)
    {
        V1NetworkPolicyPeer With(params string[] keys) => new()
        {
            PodSelector = new V1LabelSelector { MatchLabels = keys.ToDictionary(key => key, key => labels[key]) },
        };
        var organization = WorkspaceLabels.Organization;
        return policyClass switch
        {
            "workspace" =>
            [
                With(organization, WorkspaceLabels.Blueprint),
                new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkspaceLabels.NetworkPolicy] = "system" } } },
            ],
            "user" => [With(organization, WorkspaceLabels.Username)],
            "organization" => [With(organization)],
            _ => [],
        };
    }
}
