using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>A bad caller setting stops the service at start, naming the key, instead of refusing every call later.</summary>
public sealed class CallerOptionsValidation : IValidateOptions<CallerOptions>
{
    public ValidateOptionsResult Validate(string? name, CallerOptions options)
    {
        var problems = Problems(options.Kubernetes, options.KubernetesSection).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(KubernetesCallerOptions kubernetes, string prefix)
    {
        if (!kubernetes.Enabled)
        {
            if (kubernetes.Allowed.Count > 0 || kubernetes.JwksUrl is not null || !string.IsNullOrEmpty(kubernetes.CaFile) || !string.IsNullOrEmpty(kubernetes.TokenFile))
            {
                yield return $"{prefix}:Issuer: required when {prefix}:Allowed, :JwksUrl, :CaFile or :TokenFile is set (the service-account issuer, e.g. {KubernetesCallerOptions.DefaultClusterIssuer})";
            }
            yield break;
        }
        var scheme = kubernetes.RequireHttps ? "https" : "http or https";
        if (!Uri.TryCreate(kubernetes.Issuer, UriKind.Absolute, out var issuer) || !SchemeAllowed(issuer, kubernetes.RequireHttps))
        {
            yield return $"{prefix}:Issuer: '{kubernetes.Issuer}' is not an absolute {scheme} URL";
        }
        if (kubernetes.JwksUrl is { } jwks && (!jwks.IsAbsoluteUri || !SchemeAllowed(jwks, kubernetes.RequireHttps)))
        {
            yield return $"{prefix}:JwksUrl: '{jwks}' is not an absolute {scheme} URL";
        }
        if (string.IsNullOrWhiteSpace(kubernetes.Audience))
        {
            yield return $"{prefix}:Audience: must not be empty";
        }
        if (kubernetes.Allowed.Count == 0)
        {
            yield return $"{prefix}:Allowed: list at least one {{ServiceAccount, Namespace}}, or no token could ever be accepted";
        }
        for (var i = 0; i < kubernetes.Allowed.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(kubernetes.Allowed[i].ServiceAccount) || string.IsNullOrWhiteSpace(kubernetes.Allowed[i].Namespace))
            {
                yield return $"{prefix}:Allowed:{i}: both ServiceAccount and Namespace are required";
            }
        }
        foreach (var problem in FileProblems(kubernetes, issuer, prefix))
        {
            yield return problem;
        }
    }

    /// <summary>The CA bundle and the token must be readable now: a pod without them mounted should not start half-working.</summary>
    private static IEnumerable<string> FileProblems(KubernetesCallerOptions kubernetes, Uri? issuer, string prefix)
    {
        var mounted = kubernetes.InCluster ? " (InCluster: is the service-account token mounted into the pod?)" : "";
        if (!string.IsNullOrEmpty(kubernetes.CaFile) && ClusterFiles.Problem(kubernetes.CaFile, path => ClusterFiles.LoadCertificates(path)) is { } ca)
        {
            yield return $"{prefix}:CaFile: {ca}{mounted}";
        }
        if (string.IsNullOrEmpty(kubernetes.TokenFile))
        {
            yield break;
        }
        if (ClusterFiles.Problem(kubernetes.TokenFile, path => ClusterFiles.ReadToken(path)) is { } token)
        {
            yield return $"{prefix}:TokenFile: {token}{mounted}";
        }
        // The pod's token lets its holder act as the pod toward the API server: never in clear on the wire.
        if (issuer?.Scheme == Uri.UriSchemeHttp || kubernetes.JwksUrl is { IsAbsoluteUri: true, Scheme: "http" })
        {
            yield return $"{prefix}:TokenFile: the token would be sent over plain HTTP; the Issuer and JwksUrl must be https";
        }
    }

    public static bool SchemeAllowed(Uri url, bool requireHttps) =>
        url.Scheme == Uri.UriSchemeHttps || (!requireHttps && url.Scheme == Uri.UriSchemeHttp);
}
