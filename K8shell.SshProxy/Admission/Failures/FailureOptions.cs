using System.ComponentModel.DataAnnotations;
using K8shell.ServiceDefaults.Networking;

namespace K8shell.SshProxy.Admission.Failures;

/// <summary>Configuration section <c>SshProxy:Failures</c>: which failed logins go to NATS for K8shell.Shield, and how many wait while NATS is down.</summary>
internal sealed class FailureOptions : IValidatableObject
{
    public const string Section = "SshProxy:Failures";

    /// <summary>The core NATS subject Shield consumes.</summary>
    public string Subject { get; set; } = "ssh.failures";

    /// <summary>Report only public addresses: private, loopback, link-local, multicast and unspecified ones are never banned (false in the dev stack).</summary>
    public bool PublicIpOnly { get; set; } = true;

    /// <summary>CIDRs never reported (office ranges, monitoring probes).</summary>
    public List<string> Whitelist { get; set; } = [];

    /// <summary>Events kept while NATS is unreachable; past that the oldest are dropped (and counted).</summary>
    public int BufferSize { get; set; } = 10_000;

    /// <summary>The pause between attempts to reach NATS while events wait.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Subject) || Subject.Any(c => char.IsWhiteSpace(c) || c is '*' or '>'))
        {
            yield return new ValidationResult($"{Section}:{nameof(Subject)} must be a NATS subject without spaces or wildcards (got '{Subject}').");
        }
        foreach (var problem in NetworkList.Problems($"{Section}:{nameof(Whitelist)}", Whitelist))
        {
            yield return new ValidationResult(problem);
        }
        if (BufferSize < 1)
        {
            yield return new ValidationResult($"{Section}:{nameof(BufferSize)} must be at least 1 (got {BufferSize}).");
        }
        if (RetryDelay <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}:{nameof(RetryDelay)} must be positive, e.g. 00:00:01 (got {RetryDelay}).");
        }
    }
}
