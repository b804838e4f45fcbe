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

    /// <summary>
    /// How long a new key is published before it signs (at most half of <see cref="RotateAfter"/>): longer
    /// than verifiers cache the key set (k8shelld refetches it on an unknown key id, at most every 30 s).
    /// </summary>
    public TimeSpan PublishAhead { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A PEM EC P-256 private key to sign with instead of generated, rotated ones.</summary>
    public string? SigningKeyFile { get; set; }
}
