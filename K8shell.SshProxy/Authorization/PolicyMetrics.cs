using System.Diagnostics.Metrics;

namespace K8shell.SshProxy.Authorization;

/// <summary>Denials by action: a rising count for one action shows a policy change biting, or an evaluator down.</summary>
internal sealed class PolicyMetrics
{
    public const string DenialsName = "k8shell.proxy.policy.denials";

    private readonly Counter<long> _denials;

    public PolicyMetrics(IMeterFactory meters) =>
        _denials = meters.Create(ProxyTelemetry.Name).CreateCounter<long>(DenialsName, "{denial}", "Channels and requests the policy refused, by action.");

    public void Denied(string action) => _denials.Add(1, new KeyValuePair<string, object?>("action", action));
}
