namespace K8shell.SshProxy.Channels;

/// <summary>What clients may ask of a connection's channels (section <c>SshProxy:Channels</c>, SPEC.md §2).</summary>
internal sealed class ChannelOptions
{
    public const string Section = "SshProxy:Channels";

    /// <summary>OpenSSH's own defaults plus git's: what terminals and tools need, nothing that changes how the workspace runs.</summary>
    public static readonly IReadOnlyList<string> DefaultEnvAllowList = ["LANG", "LC_*", "TERM", "COLORTERM", "TZ", "GIT_*"];

    /// <summary>
    /// Names a client may set with <c>env</c> (SendEnv/SetEnv); a trailing <c>*</c> matches a prefix.
    /// Null keeps <see cref="DefaultEnvAllowList"/> (a list, so configuration replaces it instead of appending to it).
    /// </summary>
    public List<string>? EnvAllowList { get; set; }

    /// <summary>Concurrent direct-tcpip channels per connection (<c>ssh -L</c>, <c>-D</c>, <c>-W</c>): one client cannot tie up the workspace's sockets.</summary>
    public int MaxDirectTcpip { get; set; } = 15;

    public EnvAllowList AllowedEnvironment => new(EnvAllowList ?? DefaultEnvAllowList);
}
