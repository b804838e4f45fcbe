using System.ComponentModel.DataAnnotations;
using K8shell.ServiceDefaults.Networking;

namespace K8shell.SshProxy.Admission.ProxyProtocol;

/// <summary>Configuration section <c>SshProxy:ProxyProtocol</c>: who may tell us the real client address.</summary>
internal sealed class ProxyProtocolOptions : IValidatableObject
{
    public const string Section = "SshProxy:ProxyProtocol";

    /// <summary>CIDRs of balancers allowed to send a PROXY header (v1 or v2). Empty: PROXY protocol is off.</summary>
    public List<string> TrustedNetworks { get; set; } = [];

    /// <summary>
    /// How long to wait for a trusted peer's first bytes before going on without a header. A balancer sends its
    /// header at once; an SSH client that waits for our identification line first must not hang.
    /// </summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var problem in NetworkList.Problems($"{Section}:{nameof(TrustedNetworks)}", TrustedNetworks))
        {
            yield return new ValidationResult(problem);
        }
        if (HeaderTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}:{nameof(HeaderTimeout)} must be positive, e.g. 00:00:02 (got {HeaderTimeout}).");
        }
    }
}
