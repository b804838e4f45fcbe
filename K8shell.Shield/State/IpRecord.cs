using System.Text.Json;
using System.Text.Json.Serialization;

namespace K8shell.Shield.State;

/// <summary>
/// What Shield remembers of one client address, as stored in the <c>ssh-shield-state</c> KV bucket (key: the ban key of
/// the address): the failures still inside the window, the strikes so far and when the address was last seen.
/// </summary>
internal sealed record IpRecord
{
    private static readonly JsonSerializerOptions Json = new();

    /// <summary>When each failure inside the window happened, oldest first (UTC).</summary>
    [JsonPropertyName("failures")]
    public IReadOnlyList<DateTimeOffset> Failures { get; init; } = [];

    /// <summary>How many times the address was banned; picks the next ban's duration and lowers its threshold.</summary>
    [JsonPropertyName("strikes")]
    public int Strikes { get; init; }

    /// <summary>The last failure; idle cleanup and the state cap go by it.</summary>
    [JsonPropertyName("last_seen")]
    public DateTimeOffset LastSeen { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a KV value; <see cref="JsonException"/> when it is not a record.</summary>
    public static IpRecord FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<IpRecord>(json, Json) ?? throw new JsonException("an IP record is a JSON object, not null");
}
