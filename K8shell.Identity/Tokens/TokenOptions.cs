namespace K8shell.Identity.Tokens;

/// <summary>How user tokens are signed and for how long (section <c>Identity:Tokens</c>).</summary>
public sealed class TokenOptions
{
    public const string Section = "Identity:Tokens";

    /// <summary>The <c>iss</c> claim.</summary>
    public string Issuer { get; set; } = "identity.k8shell";

    /// <summary>When a caller asks for none.</summary>
    public TimeSpan DefaultLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most a caller may ask for; also how long a retired key stays published.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long a generated signing key signs before a new one takes over.</summary>
    public TimeSpan RotateAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A PEM EC P-256 private key to sign with instead of generated, rotated ones.</summary>
    public string? SigningKeyFile { get; set; }
}
