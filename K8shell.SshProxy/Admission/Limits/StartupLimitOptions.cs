using System.ComponentModel.DataAnnotations;

namespace K8shell.SshProxy.Admission.Limits;

/// <summary>Configuration section <c>SshProxy:Limits</c>: how many connections may be unauthenticated at once, like OpenSSH's MaxStartups.</summary>
internal sealed class StartupLimitOptions : IValidatableObject
{
    public const string Section = "SshProxy:Limits";

    /// <summary>Unauthenticated connections from one client address.</summary>
    public int MaxStartupsPerIp { get; set; } = 10;

    /// <summary>Unauthenticated connections in all.</summary>
    public int MaxStartups { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxStartupsPerIp < 1)
        {
            yield return new ValidationResult($"{Section}:{nameof(MaxStartupsPerIp)} must be at least 1 (got {MaxStartupsPerIp}).");
        }
        if (MaxStartups < 1)
        {
            yield return new ValidationResult($"{Section}:{nameof(MaxStartups)} must be at least 1 (got {MaxStartups}).");
        }
    }
}
