using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace K8shell.ServiceDefaults.Nats;

/// <summary>
/// One failed connection (failed authentication, handshake timeout, protocol error before auth) as K8shell.Shield
/// counts it: the JSON of SPEC.md §3, published on <c>ssh.failures</c>. Shield keys on <see cref="ClientIp"/>.
/// </summary>
public sealed record FailureEvent
{
    /// <summary>Unknown fields are skipped: a newer proxy may add some, and Shield must still count the failure.</summary>
    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <summary>The real client address (from the PROXY header when a trusted balancer sent one).</summary>
    [JsonPropertyName("client_ip")]
    public required string ClientIp { get; init; }

    [JsonPropertyName("client_port")]
    public required int ClientPort { get; init; }

    /// <summary>The user name the client gave (the user string's user part when it parsed, else as typed).</summary>
    [JsonPropertyName("username")]
    public required string Username { get; init; }

    /// <summary>When the connection failed, in UTC (written RFC 3339 with a Z).</summary>
    [JsonPropertyName("timestamp")]
    public required DateTime Timestamp { get; init => field = value.ToUniversalTime(); }

    /// <summary>The reasons gathered during the connection, then the final handshake error.</summary>
    [JsonPropertyName("failure_info")]
    public required IReadOnlyList<string> FailureInfo { get; init; }

    [JsonPropertyName("proxy_id")]
    public required string ProxyId { get; init; }

    /// <summary>The event for a connection from <paramref name="client"/> that failed at <paramref name="now"/>.</summary>
    public static FailureEvent For(IPEndPoint client, string username, IEnumerable<string> failureInfo, string proxyId, DateTimeOffset now) => new()
    {
        ClientIp = BanEntry.Normalize(client.Address).ToString(),
        ClientPort = client.Port,
        Username = username,
        Timestamp = now.UtcDateTime,
        FailureInfo = [.. failureInfo],
        ProxyId = proxyId,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a published event; <see cref="JsonException"/> when it is not one (a missing required field included).</summary>
    public static FailureEvent FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<FailureEvent>(json, Json) ?? throw new JsonException("a failure event is a JSON object, not null");
}
