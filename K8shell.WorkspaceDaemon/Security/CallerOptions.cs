namespace K8shell.WorkspaceDaemon.Security;

/// <summary>
/// How callers prove who they are (section <c>Auth</c>): a bearer JWT with audience "k8shelld",
/// signed by a key from Identity's JWKS (<see cref="JwksUrl"/>) or a fixed public key (<see cref="PublicKeyFile"/>).
/// </summary>
public sealed class CallerOptions
{
    public const string Section = "Auth";

    public const string Audience = "k8shelld";

    /// <summary>Identity's <c>/.well-known/jwks.json</c>.</summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>A PEM public key (EC P-256 or RSA) the tokens are signed with.</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>The expected issuer; any issuer when empty.</summary>
    public string? Issuer { get; set; }
}
