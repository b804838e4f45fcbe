namespace K8shell.EndToEnd.Tests;

/// <summary>The gateway's policy in the end-to-end stack (SshProxy:Policy:File): what the tests rely on, and otherwise everything allowed.</summary>
public static class Policies
{
    /// <summary>Forwards to this port are denied with <see cref="ClosedPortReason"/>.</summary>
    public const int ClosedPort = 9;

    public const string ClosedPortReason = "port 9 is closed by policy";

    public static readonly string EndToEnd = $"""
        default: allow
        rules:
          - name: closed port
            action: ssh:direct-tcpip
            context:
              port: "{ClosedPort}"
            effect: deny
            reason: {ClosedPortReason}
          # PTY shells are recorded (the replay test reads them back), nothing else is.
          - name: record shells
            action: session:start
            context:
              session_type: shell
            effect: allow
            obligations:
              record: shell
        """;
}
