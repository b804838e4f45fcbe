using K8shell.Ssh.Authentication;
using K8shell.Ssh.HostKeys;
using K8shell.Ssh.Transport;

namespace K8shell.Ssh;

/// <summary>
/// How a server handshakes: its host keys and the host's authentication callbacks (the shape of Go's
/// ssh.ServerConfig). No policy lives in the library: the callbacks decide.
/// </summary>
public sealed class SshServerConfig
{
    public const string PublicKeyMethod = "publickey";
    public const string PasswordMethod = "password";
    public const string KeyboardInteractiveMethod = "keyboard-interactive";

    public required IReadOnlyList<HostKey> HostKeys { get; init; }

    /// <summary>Sent as <c>SSH-2.0-&lt;SoftwareVersion&gt;</c>.</summary>
    public string SoftwareVersion { get; init; } = "K8shell_0.1.0";

    /// <summary>Failed attempts (any method but "none") before the connection is closed, like OpenSSH's MaxAuthTries.</summary>
    public int MaxAuthAttempts { get; init; } = 6;

    /// <summary>
    /// The whole handshake, authentication included, must finish within this (LoginGraceTime), unless a
    /// keyboard-interactive callback extends it (<see cref="KeyboardInteractiveRequest.ExtendLoginGrace"/>).
    /// </summary>
    public TimeSpan LoginGraceTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Open channels per connection (SPEC.md §2: 64); more are refused with resource shortage.</summary>
    public int MaxChannels { get; init; } = 64;

    /// <summary>Bytes in either direction, or time, after which the server starts a key re-exchange.</summary>
    public RekeyLimits RekeyLimits { get; init; } = RekeyLimits.Default;

    /// <summary>Longer user names are refused before any callback runs.</summary>
    public int MaxUserNameBytes { get; init; } = 1024;

    /// <summary>The methods to offer a user; by default every method that has a callback.</summary>
    public Func<string, CancellationToken, ValueTask<IReadOnlyList<string>>>? AuthMethods { get; init; }

    public Func<PublicKeyAuthRequest, CancellationToken, ValueTask<AuthDecision>>? PublicKeyCallback { get; init; }

    public Func<PasswordAuthRequest, CancellationToken, ValueTask<AuthDecision>>? PasswordCallback { get; init; }

    public Func<KeyboardInteractiveRequest, CancellationToken, ValueTask<AuthDecision>>? KeyboardInteractiveCallback { get; init; }

    /// <summary>A banner for the user, sent once before the first reply to them (null: none).</summary>
    public Func<string, string?>? Banner { get; init; }

    internal IReadOnlyList<string> DefaultMethods =>
    [
        .. PublicKeyCallback is null ? Array.Empty<string>() : [PublicKeyMethod],
        .. KeyboardInteractiveCallback is null ? Array.Empty<string>() : [KeyboardInteractiveMethod],
        .. PasswordCallback is null ? Array.Empty<string>() : [PasswordMethod],
    ];
}
