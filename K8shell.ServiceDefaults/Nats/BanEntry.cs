using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using NATS.Client.KeyValueStore;

namespace K8shell.ServiceDefaults.Nats;

/// <summary>
/// One banned client address as K8shell.Shield writes it to the JetStream KV bucket <c>ssh-bans</c> and every
/// SshProxy reads it: key <see cref="KeyFor"/>, value JSON <c>{"ip","reason","banned_at","expires_at"}</c>
/// (RFC 3339 UTC). NATS 2.9 has no per-key TTL, so a ban counts only until <see cref="ExpiresAt"/>; the
/// bucket's max age only bounds storage. Whoever comes first creates the bucket; others open it as it is
/// (JetStream refuses a second create with a different configuration).
/// </summary>
public sealed record BanEntry
{
    /// <summary>The bucket's name unless configured otherwise.</summary>
    public const string DefaultBucket = "ssh-bans";

    /// <summary>How long an entry stays stored unless configured otherwise: longer than the longest ban (72h), so no ban outlives its entry.</summary>
    public static readonly TimeSpan DefaultBucketMaxAge = TimeSpan.FromDays(7);

    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <summary>
    /// The bucket's one configuration, for whichever service creates it first (Shield or a proxy): JetStream refuses a
    /// second create with another configuration, so both must build it here. History 1: only the current ban matters.
    /// </summary>
    public static NatsKVConfig BucketConfig(string bucket, TimeSpan maxAge) => new(bucket)
    {
        Description = "Banned client addresses (K8shell.Shield writes, every SshProxy watches)",
        History = 1,
        MaxAge = maxAge,
    };

    /// <summary>The banned address as text (IPv4 dotted or IPv6 compressed form).</summary>
    [JsonPropertyName("ip")]
    public required string Ip { get; init; }

    /// <summary>Why, for operators (e.g. "5 failed logins in 5m, strike 2").</summary>
    [JsonPropertyName("reason")]
    public string Reason { get; init; } = "";

    [JsonPropertyName("banned_at")]
    public required DateTime BannedAt { get; init => field = value.ToUniversalTime(); }

    /// <summary>The ban is lifted from this instant on, whether or not the entry was deleted.</summary>
    [JsonPropertyName("expires_at")]
    public required DateTime ExpiresAt { get; init => field = value.ToUniversalTime(); }

    /// <summary>A ban of <paramref name="address"/> from <paramref name="now"/> for <paramref name="duration"/>.</summary>
    public static BanEntry For(IPAddress address, string reason, DateTimeOffset now, TimeSpan duration) => new()
    {
        Ip = Normalize(address).ToString(),
        Reason = reason,
        BannedAt = now.UtcDateTime,
        ExpiresAt = (now + duration).UtcDateTime,
    };

    /// <summary>
    /// The KV key of an address: its text with ':' replaced by '_' (KV keys allow only [-/_=.a-zA-Z0-9]);
    /// IPv4-mapped IPv6 addresses are keyed as IPv4 and scope IDs are dropped, so one client has one key.
    /// </summary>
    public static string KeyFor(IPAddress address) => Normalize(address).ToString().Replace(':', '_');

    /// <summary>Whether the ban still holds at <paramref name="now"/>.</summary>
    public bool IsActiveAt(DateTimeOffset now) => ExpiresAt > now.UtcDateTime;

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a KV value; <see cref="JsonException"/> when it is not a ban entry.</summary>
    public static BanEntry FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<BanEntry>(json, Json) ?? throw new JsonException("a ban entry is a JSON object, not null");

    /// <summary>The one form of a client address that bans, counters and filters agree on: IPv4-mapped IPv6 as IPv4, no scope ID.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }
}
