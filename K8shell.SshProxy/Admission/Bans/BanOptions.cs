using System.ComponentModel.DataAnnotations;
using K8shell.ServiceDefaults.Nats;
using NATS.Client.KeyValueStore;

namespace K8shell.SshProxy.Admission.Bans;

/// <summary>Configuration section <c>SshProxy:Bans</c>: where K8shell.Shield's bans are read from.</summary>
internal sealed class BanOptions : IValidatableObject
{
    public const string Section = "SshProxy:Bans";

    /// <summary>The JetStream KV bucket of <see cref="BanEntry"/> values (created when missing).</summary>
    public string Bucket { get; set; } = BanEntry.DefaultBucket;

    /// <summary>The max age of a bucket this proxy creates: bounds storage, since NATS 2.9 has no per-key TTL (longer than the longest ban).</summary>
    public TimeSpan BucketMaxAge { get; set; } = BanEntry.DefaultBucketMaxAge;

    /// <summary>The pause before watching again after NATS failed.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Bucket) || !Bucket.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            yield return new ValidationResult($"{Section}:{nameof(Bucket)} must be a KV bucket name of letters, digits, '-' and '_' (got '{Bucket}').");
        }
        if (BucketMaxAge <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}:{nameof(BucketMaxAge)} must be positive, e.g. 7.00:00:00 (got {BucketMaxAge}).");
        }
        if (RetryDelay <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"{Section}:{nameof(RetryDelay)} must be positive, e.g. 00:00:02 (got {RetryDelay}).");
        }
    }

    /// <summary>The bucket's configuration when this proxy is the first to need it (the same as Shield's).</summary>
    public NatsKVConfig BucketConfig() => BanEntry.BucketConfig(Bucket, BucketMaxAge);
}
