using System.Collections.Concurrent;
using System.Net.Sockets;
using Grpc.Core;
using K8shell.WorkspaceDaemon.Processes;
using K8shell.WorkspaceDaemon.Security;
using K8shell.WorkspaceDaemon.Tunnels;
using K8shell.WorkspaceDaemon.Workspace;
using Microsoft.Extensions.Options;

namespace K8shell.WorkspaceDaemon.Agent;

/// <summary>
/// Where each SSH connection's agent socket lives: a directory of its own (0700, the user's) under
/// the user's runtime directory, holding <c>agent.sock</c> (0600), as ssh-agent lays out its own.
/// Sessions of the connection that asked for agent forwarding get it as SSH_AUTH_SOCK.
/// </summary>
internal sealed class AgentSockets(
    WorkspaceAccount account,
    SessionRegistry sessions,
    FilesystemIdentity identity,
    IOptions<WorkspaceOptions> options,
    ILogger<AgentSockets> logger)
{
    private readonly ConcurrentDictionary<string, string> _pathBySession = new();

    /// <summary>The socket of <paramref name="sessionId"/>'s agent, while its Listen call lasts; null without one.</summary>
    public string? PathFor(string sessionId) => _pathBySession.GetValueOrDefault(sessionId);

    /// <summary>The connection's agent socket, listening in a directory of its own; its path is what its sessions get as SSH_AUTH_SOCK.</summary>
    public async Task<TunnelListener> ListenAsync(string sessionId)
    {
        if (sessionId.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "an agent listener needs the session_id of its connection"));
        }
        var directory = Path.Combine(RuntimeDirectory(), $"k8shell-agent-{Guid.NewGuid():N}");
        var path = Path.Combine(directory, "agent.sock");
        // Registered first, so whatever fails below is undone by Remove.
        if (!_pathBySession.TryAdd(sessionId, path))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"session {sessionId} has an agent socket already"));
        }
        try
        {
            // Only the connection's own processes are announced; the directory goes when the listener does.
            return (await BindAsync(directory, path)).Guard(connection => Admits(connection, sessionId), () => Remove(sessionId));
        }
        catch
        {
            Remove(sessionId);
            throw;
        }
    }

    /// <summary>
    /// The directory (0700, the user's), then the socket bound with the user's file-system identity
    /// (so it is theirs) and made 0600: only its owner may connect, and the directory keeps others out anyway.
    /// </summary>
    private async Task<TunnelListener> BindAsync(string directory, string path)
    {
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            account.GiveOwnership(directory);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"agent socket directory {directory}: {failure.Message}"));
        }
        var listener = await TunnelListener.BindUnixAsync(path, identity);
        try
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return listener;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"agent socket {path}: {failure.Message}"));
        }
    }

    /// <summary>Whether the process at the other end (SO_PEERCRED) descends from one of the session's processes.</summary>
    private bool Admits(Socket connection, string sessionId)
    {
        var pid = (int)TunnelListener.PeerProcessId(connection);
        if (pid > 0 && sessions.Owns(sessionId, pid))
        {
            return true;
        }
        logger.LogWarning("Agent socket of session {SessionId} refused pid {Pid}: not a process of that connection's sessions", sessionId, pid);
        return false;
    }

    /// <summary>The listener closed (its socket file went with it), or never opened: the directory goes now.</summary>
    private void Remove(string sessionId)
    {
        if (_pathBySession.TryRemove(sessionId, out var path))
        {
            try
            {
                Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            }
            catch (IOException failure)
            {
                logger.LogWarning("Could not remove the agent directory of session {SessionId}: {Reason}", sessionId, failure.Message);
            }
        }
    }

    private string RuntimeDirectory()
    {
        if (options.Value.RuntimeDirectory is { Length: > 0 } configured)
        {
            return configured;
        }
        var userRuntime = $"/run/user/{account.Uid}";
        return Directory.Exists(userRuntime) ? userRuntime : Path.GetTempPath();
    }
}
