using System.Security.Cryptography;

namespace K8shell.SshProxy.Connections;

/// <summary>
/// Connection IDs as the product we follow makes them (reference §1.6): <c>&lt;proxyId&gt;-&lt;pid&gt;-&lt;2 random
/// lowercase letters&gt;</c>. k8shelld derives the connection from stream IDs built on it, so the format is a contract.
/// </summary>
internal static class SessionIds
{
    /// <summary>
    /// The last dash-separated part of the host name when it is a Deployment pod hash (exactly five of
    /// [a-z0-9]), else "local".
    /// </summary>
    public static string ProxyId { get; } = ProxyIdOf(Environment.MachineName);

    public static string ProxyIdOf(string hostName) =>
        hostName.Split('-')[^1] is { Length: 5 } last && last.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) && hostName.Contains('-')
            ? last
            : "local";

    public static string Next() =>
        $"{ProxyId}-{Environment.ProcessId}-{(char)('a' + RandomNumberGenerator.GetInt32(26))}{(char)('a' + RandomNumberGenerator.GetInt32(26))}";
}
