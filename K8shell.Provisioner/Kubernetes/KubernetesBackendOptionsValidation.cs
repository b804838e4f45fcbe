using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Kubernetes;

/// <summary>A bad setting stops the Provisioner at start, naming the key, instead of failing every workspace later.</summary>
public sealed partial class KubernetesBackendOptionsValidation : IValidateOptions<KubernetesBackendOptions>
{
    private const string Prefix = KubernetesBackendOptions.Section;

    public ValidateOptionsResult Validate(string? name, KubernetesBackendOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(KubernetesBackendOptions options)
    {
        if (!DnsLabel().IsMatch(options.Namespace))
        {
            yield return $"{Prefix}:Namespace: '{options.Namespace}' is not a namespace name (required; lower-case letters, digits and '-', at most 63)";
        }
        foreach (var file in KubeconfigFiles(options.Kubeconfig).Where(file => !File.Exists(file)))
        {
            yield return $"{Prefix}:Kubeconfig: '{file}' does not exist (empty means the pod's in-cluster service account)";
        }
        if (string.IsNullOrWhiteSpace(options.K8shelldImage))
        {
            yield return $"{Prefix}:K8shelldImage: required, the image the init container copies k8shelld from";
        }
        if (!options.K8shelldPath.StartsWith('/'))
        {
            yield return $"{Prefix}:K8shelldPath: '{options.K8shelldPath}' must be an absolute path in the k8shelld image";
        }
        if (options.K8shelldImagePullPolicy is not ("Always" or "IfNotPresent" or "Never"))
        {
            yield return $"{Prefix}:K8shelldImagePullPolicy: '{options.K8shelldImagePullPolicy}' is not Always, IfNotPresent or Never";
        }
        if (string.IsNullOrWhiteSpace(options.ClusterDomain))
        {
            yield return $"{Prefix}:ClusterDomain: must not be empty (usually cluster.local)";
        }
        if (options.PullingGrace < TimeSpan.Zero || options.PodDeletionTimeout <= TimeSpan.Zero)
        {
            yield return $"{Prefix}:PullingGrace and :PodDeletionTimeout: must be positive durations such as 00:00:08";
        }
        if (!Uri.TryCreate(options.JwksUrl, UriKind.Absolute, out var jwks) || jwks.Scheme is not ("http" or "https"))
        {
            yield return $"{Prefix}:JwksUrl: '{options.JwksUrl}' is not an absolute http(s) URL; k8shelld checks its callers' tokens against Identity's JWKS";
        }
        if (string.IsNullOrWhiteSpace(options.StorageSize))
        {
            yield return $"{Prefix}:StorageSize: must be a quantity such as 10Gi";
        }
        if (!IPNetwork.TryParse(options.ServiceCidr, out _))
        {
            yield return $"{Prefix}:ServiceCidr: '{options.ServiceCidr}' is not a CIDR such as 10.96.0.0/12";
        }
        if (!DnsLabel().IsMatch(options.GatewayNamespace))
        {
            yield return $"{Prefix}:GatewayNamespace: '{options.GatewayNamespace}' is not a namespace name";
        }
    }

    /// <summary>The files of a <c>KUBECONFIG</c>-style list (joined with ':'), empty ones dropped.</summary>
    public static string[] KubeconfigFiles(string kubeconfig) =>
        kubeconfig.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
