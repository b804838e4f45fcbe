using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Tests;

/// <summary>Sessions as the proxy reports them, with names no other test uses.</summary>
internal static class SessionSamples
{
    /// <summary><paramref name="prefix"/> and a random part: tests sharing one Sessions never see each other's rows.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>A first report: every field the proxy knows when the workspace answered.</summary>
    public static Session New(string sessionId, string username, Timestamp? startTime = null) => new()
    {
        SessionId = sessionId,
        Username = username,
        K8ShelldVer = "0.1.0",
        Client = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
        ClientIp = "192.0.2.7",
        ClientPort = 50123,
        ProxyId = "proxy-a",
        Workspace = $"{username}~dev",
        Blueprint = "dev",
        StartTime = startTime,
        Operations = { "sh", "pt" },
        BytesIn = 10,
        BytesOut = 20,
    };

    /// <summary>A time with whole milliseconds, which the store keeps exactly.</summary>
    public static Timestamp At(string iso) => Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Now, cut to milliseconds as the store keeps times: a lower bound for what the service stamps afterwards.</summary>
    public static Timestamp Now() => Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
}
