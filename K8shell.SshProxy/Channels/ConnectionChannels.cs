using System.Collections.Concurrent;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Connections;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// What the channels of one connection share: the connection, the settings, a lifetime that ends every
/// gRPC stream and listener with the connection, the agent socket, the remote forwards and the limits.
/// </summary>
internal sealed class ConnectionChannels
{
    private readonly ConcurrentQueue<Task> _background = new();
    private int _directTcpip;
    private volatile bool _noMoreSessions;

    public ConnectionChannels(ProxyConnection connection, ChannelOptions options, ILogger logger, CancellationToken lifetime)
    {
        Connection = connection;
        Options = options;
        Environment = options.AllowedEnvironment;
        Logger = logger;
        Lifetime = lifetime;
        Agent = new AgentForwarding(this);
        RemoteForwards = new RemoteForwards(this);
    }

    public ProxyConnection Connection { get; }

    public ChannelOptions Options { get; }

    public EnvAllowList Environment { get; }

    public ILogger Logger { get; }

    /// <summary>Cancelled when the connection ends: every call to k8shelld made for it stops.</summary>
    public CancellationToken Lifetime { get; }

    public AgentForwarding Agent { get; }

    public RemoteForwards RemoteForwards { get; }

    /// <summary>Listeners serving the connection beyond any one channel; awaited when it ends.</summary>
    public IEnumerable<Task> Background => _background;

    public void Track(Task serving) => _background.Enqueue(serving);

    /// <summary>The client sent no-more-sessions@openssh.com: a later session channel is an attack, not a mistake.</summary>
    public bool NoMoreSessions => _noMoreSessions;

    public void RefuseFurtherSessions() => _noMoreSessions = true;

    /// <summary>Counts a direct-tcpip channel in if the limit allows; the caller gives it back with <see cref="EndDirectTcpip"/>.</summary>
    public bool TryBeginDirectTcpip()
    {
        if (Interlocked.Increment(ref _directTcpip) <= Options.MaxDirectTcpip)
        {
            return true;
        }
        Interlocked.Decrement(ref _directTcpip);
        return false;
    }

    public void EndDirectTcpip() => Interlocked.Decrement(ref _directTcpip);

    /// <summary>The policy's answer for <paramref name="action"/>; a null value is given as empty, which the authorizer leaves out, as the contracts say.</summary>
    public ValueTask<PolicyDecision> AuthorizeAsync(string action, params (string Key, string? Value)[] context) =>
        Connection.Authorizer.AuthorizeAsync(action, context.ToDictionary(entry => entry.Key, entry => entry.Value ?? ""), Lifetime);

    /// <summary><c>session:start</c> for a channel of <paramref name="sessionType"/> (shell, exec, sftp, direct-tcpip); its <c>record</c> obligation decides recording.</summary>
    public ValueTask<PolicyDecision> AuthorizeSessionStartAsync(string sessionType) =>
        AuthorizeAsync("session:start", ("session_type", sessionType), ("session_source", "ssh-proxy"));
}
