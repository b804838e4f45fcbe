using System.Diagnostics;
using System.Net;
using K8shell.Contracts.Identity.V1;
using K8shell.Ssh.Connection;
using K8shell.SshProxy.Authorization;
using K8shell.SshProxy.Recording;
using K8shell.SshProxy.Workspaces;
using K8shell.UserStrings;

namespace K8shell.SshProxy.Connections;

/// <summary>
/// One authenticated SSH connection as the channel code sees it: who, from where, which workspace
/// (found or started on first use), the policy for its channels and requests, its recordings and
/// its traffic counters. Built by the connection handler once authentication succeeded.
/// </summary>
internal sealed class ProxyConnection
{
    private int _streams;

    /// <summary><c>&lt;proxyId&gt;-&lt;pid&gt;-&lt;2 chars&gt;</c>: the session record's ID and the base of every stream ID.</summary>
    public required string SessionId { get; init; }

    public required UserString UserString { get; init; }

    /// <summary>The user as Identity knows them.</summary>
    public required User User { get; init; }

    /// <summary>The real client address (from the PROXY header when a trusted balancer sent one).</summary>
    public required IPEndPoint Client { get; init; }

    /// <summary>Where the client connected: the listener's address and port, as sshd's SSH_CONNECTION names them.</summary>
    public required IPEndPoint Server { get; init; }

    public required SshServerConnection Ssh { get; init; }

    /// <summary>The connection's workspace: found, started or provisioned once, on the first channel that needs it.</summary>
    public required IWorkspaceAccess Workspace { get; init; }

    /// <summary>The policy for this connection's channels and requests (subject and resource already bound).</summary>
    public required IChannelAuthorizer Authorizer { get; init; }

    /// <summary>Recordings of this connection's channels, streamed to Sessions.</summary>
    public required IChannelRecorders Recorders { get; init; }

    /// <summary>Bytes and operation codes over all channels, for the session record (and the proxy's byte counter).</summary>
    public ConnectionTraffic Traffic { get; init; } = new();

    /// <summary>
    /// The connection's span (<c>ssh.connection</c>): every channel's span is its child, though channels run on tasks
    /// of their own where it need not be the current activity. Default (none): channel spans start traces of their own.
    /// </summary>
    public ActivityContext Trace { get; init; }

    /// <summary>The next stream ID of this connection: <c>&lt;prefix&gt;-&lt;sessionId&gt;&lt;n&gt;</c>, n counting from 1 (<c>sh</c>, <c>ex</c>, <c>sf</c>, <c>pf</c>, <c>ux</c>).</summary>
    public string NextStreamId(string prefix) => $"{prefix}-{SessionId}{Interlocked.Increment(ref _streams)}";
}
