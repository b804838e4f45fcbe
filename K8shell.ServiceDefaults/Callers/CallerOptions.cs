namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// Who may call a service's RPCs (the section its <c>AddCallerAuthentication</c> names, e.g. <c>Identity:Callers</c>).
/// <see cref="StaticTokens"/>: caller name → shared secret, for development and the local stack. <see cref="Kubernetes"/>:
/// projected service-account tokens, how callers prove themselves in a cluster (reference §3.1). Both can be on.
/// </summary>
public sealed class CallerOptions
{
    /// <summary>Where these settings are read from, for messages that name the key to fix; set at registration, never bound.</summary>
    public string Section { get; internal set; } = "";

    public string KubernetesSection => $"{Section}:{nameof(Kubernetes)}";

    public Dictionary<string, string> StaticTokens { get; set; } = [];

    public KubernetesCallerOptions Kubernetes { get; set; } = new();
}

/// <summary>
/// Section <c>&lt;callers&gt;:Kubernetes</c>: tokens the cluster's service-account issuer signed for
/// <see cref="Audience"/>, from the service accounts in <see cref="Allowed"/>. Off until <see cref="Issuer"/> is set.
/// </summary>
public sealed class KubernetesCallerOptions
{
    /// <summary>Where the kubelet mounts a pod's service-account token and the cluster CA.</summary>
    public const string MountedServiceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The issuer kubeadm and kind configure, and what <see cref="InCluster"/> assumes unless told.</summary>
    public const string DefaultClusterIssuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>
    /// The API server the pod runs in serves its own signing keys here, whatever its issuer is called and
    /// wherever its discovery document points; <c>kubernetes.default.svc</c> resolves under any cluster domain.
    /// </summary>
    public static readonly Uri InClusterJwksUrl = new("https://kubernetes.default.svc/openid/v1/jwks");

    /// <summary>The API server's <c>--service-account-issuer</c>, exactly as in the tokens' <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>Where the signing keys are; by default the <c>jwks_uri</c> of the issuer's openid-configuration.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>
    /// The audience callers request for their projected token (reference §3.10 <c>grpc.audience</c>); by default the one
    /// the service registered with, so a token meant for one service is never accepted by another.
    /// </summary>
    public string Audience { get; set; } = "";

    public List<AllowedServiceAccount> Allowed { get; set; } = [];

    /// <summary>
    /// Keys fetched over plain HTTP could be swapped on the way, letting anyone mint callers; only a
    /// local issuer (tests, a laptop cluster) may turn this off.
    /// </summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>
    /// A PEM bundle of the CAs that alone are trusted for the issuer's (and JWKS) certificate: the API server's
    /// is signed by the cluster CA, which no system store knows. Unset: the system's trusted roots.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// A file holding the bearer token for the discovery and JWKS requests: the API server answers them
    /// anonymously only if the cluster allows that. Read again for each fetch, as the kubelet rotates it.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// Running in the cluster whose API server is the issuer: keys from <see cref="InClusterJwksUrl"/>, the
    /// mounted CA and token, and <see cref="DefaultClusterIssuer"/>; any of them set explicitly wins.
    /// </summary>
    public bool InCluster { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(Issuer);

    /// <summary>Fills in what <see cref="InCluster"/> implies (run after binding, before validation).</summary>
    public void ApplyInCluster()
    {
        if (!InCluster)
        {
            return;
        }
        Issuer = string.IsNullOrEmpty(Issuer) ? DefaultClusterIssuer : Issuer;
        JwksUrl ??= InClusterJwksUrl;
        CaFile = string.IsNullOrEmpty(CaFile) ? Path.Combine(MountedServiceAccount, "ca.crt") : CaFile;
        TokenFile = string.IsNullOrEmpty(TokenFile) ? Path.Combine(MountedServiceAccount, "token") : TokenFile;
    }
}

public sealed class AllowedServiceAccount
{
    public string ServiceAccount { get; set; } = "";

    public string Namespace { get; set; } = "";
}
