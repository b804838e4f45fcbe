namespace K8shell.SshProxy;

/// <summary>The gateway's version (major.minor.patch), read once: the SSH identification and k8shelld's handshake carry it.</summary>
internal static class ProxyVersion
{
    public static string Number { get; } = typeof(ProxyVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
