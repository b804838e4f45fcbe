using System.ComponentModel.DataAnnotations;
using K8shell.ServiceDefaults.Nats;
using K8shell.ServiceDefaults.Networking;
using K8shell.Shield.Nftables;

namespace K8shell.Shield;

/// <summary>Configuration section <c>Shield</c>: where failures come from, when an address is banned and for how long (defaults of the reference §6.5).</summary>
internal sealed class ShieldOptions : IValidatableObject
{
    public const string Section = "Shield";

    /// <summary>The ban durations when <see cref="BanSchedule"/> is empty: strike n gets the n-th, the last repeats.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultBanSchedule =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
        TimeSpan.FromHours(6), TimeSpan.FromHours(24), TimeSpan.FromHours(72),
    ];

    /// <summary>The core NATS subject the proxies publish failures on (their <c>SshProxy:Failures:Subject</c>).</summary>
    public string Subject { get; set; } = "ssh.failures";

    /// <summary>The JetStream stream that captures <see cref="Subject"/> (created when missing) so replicas share the events.</summary>
    public string Stream { get; set; } = "SSH_FAILURES";

    /// <summary>The durable consumer every replica pulls from: each event goes to one replica only.</summary>
    public string Consumer { get; set; } = "shield";

    /// <summary>The KV bucket of per-address counters, shared by replicas.</summary>
    public string StateBucket { get; set; } = "ssh-shield-state";

    /// <summary>The KV bucket the proxies watch for bans.</summary>
    public string BansBucket { get; set; } = BanEntry.DefaultBucket;

    /// <summary>The max age of the bans bucket if Shield creates it (the proxy's <c>SshProxy:Bans:BucketMaxAge</c>).</summary>
    public TimeSpan BansBucketMaxAge { get; set; } = BanEntry.DefaultBucketMaxAge;

    /// <summary>How far back failures count.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failures within <see cref="Window"/> that ban an address the first time.</summary>
    public int Threshold { get; set; } = 4;

    /// <summary>Each strike lowers the address's threshold by one (floor 1): a returning offender is banned sooner.</summary>
    public bool DecreasingThreshold { get; set; } = true;

    /// <summary>Ban durations by strike, the last repeating; empty means <see cref="DefaultBanSchedule"/> (a configured list replaces it whole).</summary>
    public List<TimeSpan> BanSchedule { get; set; } = [];

    /// <summary>CIDRs never counted nor banned.</summary>
    public List<string> Whitelist { get; set; } = [];

    /// <summary>How often idle and surplus state is dropped; zero turns collection off.</summary>
    public TimeSpan GcInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>State of an address not seen for this long is dropped (its strikes forgotten); zero keeps it.</summary>
    public TimeSpan IdleCleanup { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Most addresses tracked; past it the least recently seen are dropped at collection; zero is unlimited.</summary>
    public int MaxIpState { get; set; } = 100_000;

    /// <summary>The pause before consuming again after NATS failed.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The optional nftables set that drops banned addresses on this host too.</summary>
    public NftablesOptions Nftables { get; set; } = new();

    public IReadOnlyList<TimeSpan> EffectiveBanSchedule => BanSchedule.Count == 0 ? DefaultBanSchedule : BanSchedule;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Subject) || Subject.Any(c => char.IsWhiteSpace(c) || c is '*' or '>'))
        {
            yield return Problem(nameof(Subject), $"must be a NATS subject without spaces or wildcards (got '{Subject}')");
        }
        foreach (var (key, value) in new[] { (nameof(Stream), Stream), (nameof(Consumer), Consumer), (nameof(StateBucket), StateBucket), (nameof(BansBucket), BansBucket) })
        {
            if (string.IsNullOrEmpty(value) || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                yield return Problem(key, $"must be a name of letters, digits, '-' and '_' (got '{value}')");
            }
        }
        foreach (var (key, value) in new[] { (nameof(BansBucketMaxAge), BansBucketMaxAge), (nameof(Window), Window), (nameof(RetryDelay), RetryDelay) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return Problem(key, $"must be positive, e.g. 00:05:00 (got {value})");
            }
        }
        foreach (var (key, value) in new[] { (nameof(GcInterval), GcInterval), (nameof(IdleCleanup), IdleCleanup) })
        {
            if (value < TimeSpan.Zero)
            {
                yield return Problem(key, $"must be zero (off) or positive (got {value})");
            }
        }
        if (Threshold < 1)
        {
            yield return Problem(nameof(Threshold), $"must be at least 1 (got {Threshold})");
        }
        if (MaxIpState < 0)
        {
            yield return Problem(nameof(MaxIpState), $"must be zero (unlimited) or positive (got {MaxIpState})");
        }
        for (var i = 0; i < BanSchedule.Count; i++)
        {
            if (BanSchedule[i] <= TimeSpan.Zero)
            {
                yield return Problem($"{nameof(BanSchedule)}:{i}", $"must be a positive duration, e.g. 00:01:00 (got {BanSchedule[i]})");
            }
        }
        foreach (var problem in NetworkList.Problems($"{Section}:{nameof(Whitelist)}", Whitelist))
        {
            yield return new ValidationResult(problem);
        }
        foreach (var problem in Nftables.Problems($"{Section}:{nameof(Nftables)}"))
        {
            yield return new ValidationResult(problem);
        }
    }

    private static ValidationResult Problem(string key, string message) => new($"{Section}:{key} {message}.");
}
