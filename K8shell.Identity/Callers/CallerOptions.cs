using Microsoft.Extensions.Options;

namespace K8shell.Identity.Callers;

/// <summary>
/// Who may call Identity's RPCs (section <c>Identity:Callers</c>). <see cref="StaticTokens"/>: caller
/// name → shared secret, for development and the local stack. <see cref="Kubernetes"/>: projected
/// service-account tokens, how callers prove themselves in a cluster (reference §3.1). Both can be on.
/// </summary>
public sealed class CallerOptions
{
    public const string Section = "Identity:Callers";

    public Dictionary<string, string> StaticTokens { get; set; } = [];

    public KubernetesCallerOptions Kubernetes { get; set; } = new();
}

/// <summary>
/// Section <c>Identity:Callers:Kubernetes</c>: tokens the cluster's service-account issuer signed for
/// <see cref="Audience"/>, from the service accounts in <see cref="Allowed"/>. Off until <see cref="Issuer"/> is set.
/// </summary>
public sealed class KubernetesCallerOptions
{
    /// <summary>The API server's <c>--service-account-issuer</c>, exactly as in the tokens' <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Where the signing keys are; by default the <c>jwks_uri</c> of the issuer's openid-configuration.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>The audience callers request for their projected token (reference §3.10 <c>grpc.audience</c>).</summary>
    public string Audience { get; set; } = "identity";

    public List<AllowedServiceAccount> Allowed { get; set; } = [];

    /// <summary>
    /// Keys fetched over plain HTTP could be swapped on the way, letting anyone mint callers; only a
    /// local issuer (tests, a laptop cluster) may turn this off.
    /// </summary>
    public bool RequireHttps { get; set; } = true;

    public bool Enabled => !string.IsNullOrEmpty(Issuer);
}

public sealed class AllowedServiceAccount
{
    public string ServiceAccount { get; set; } = "";

    public string Namespace { get; set; } = "";
}

/// <summary>A bad caller setting stops the service at start, naming the key, instead of refusing every call later.</summary>
public sealed class CallerOptionsValidation : IValidateOptions<CallerOptions>
{
    private const string Prefix = $"{CallerOptions.Section}:{nameof(CallerOptions.Kubernetes)}";

    public ValidateOptionsResult Validate(string? name, CallerOptions options)
    {
        var problems = Problems(options.Kubernetes).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Problems(KubernetesCallerOptions kubernetes)
    {
        if (!kubernetes.Enabled)
        {
            if (kubernetes.Allowed.Count > 0 || kubernetes.JwksUrl is not null)
            {
                yield return $"{Prefix}:Issuer: required when {Prefix}:Allowed or :JwksUrl is set (the service-account issuer, e.g. https://kubernetes.default.svc.cluster.local)";
            }
            yield break;
        }
        var scheme = kubernetes.RequireHttps ? "https" : "http or https";
        if (!Uri.TryCreate(kubernetes.Issuer, UriKind.Absolute, out var issuer) || !SchemeAllowed(issuer, kubernetes.RequireHttps))
        {
            yield return $"{Prefix}:Issuer: '{kubernetes.Issuer}' is not an absolute {scheme} URL";
        }
        if (kubernetes.JwksUrl is { } jwks && (!jwks.IsAbsoluteUri || !SchemeAllowed(jwks, kubernetes.RequireHttps)))
        {
            yield return $"{Prefix}:JwksUrl: '{jwks}' is not an absolute {scheme} URL";
        }
        if (string.IsNullOrWhiteSpace(kubernetes.Audience))
        {
            yield return $"{Prefix}:Audience: must not be empty";
        }
        if (kubernetes.Allowed.Count == 0)
        {
            yield return $"{Prefix}:Allowed: list at least one {{ServiceAccount, Namespace}}, or no token could ever be accepted";
        }
        for (var i = 0; i < kubernetes.Allowed.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(kubernetes.Allowed[i].ServiceAccount) || string.IsNullOrWhiteSpace(kubernetes.Allowed[i].Namespace))
            {
                yield return $"{Prefix}:Allowed:{i}: both ServiceAccount and Namespace are required";
            }
        }
    }

    public static bool SchemeAllowed(Uri url, bool requireHttps) =>
        url.Scheme == Uri.UriSchemeHttps || (!requireHttps && url.Scheme == Uri.UriSchemeHttp);
}
