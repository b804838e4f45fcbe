using System.Collections.Concurrent;
using System.Net.Sockets;
using Grpc.Core;
using K8shell.WorkspaceDaemon.Processes;
using K8shell.WorkspaceDaemon.Processes.Native;
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
        string path;
        try
        {
            path = Create(sessionId);
        }
        catch (InvalidOperationException duplicate)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, duplicate.Message));
        }
        try
        {
            var listener = await TunnelListener.BindUnixAsync(path, identity);
            Secure(path);
            return listener;
        }
        catch
        {
            Remove(sessionId);
            throw;
        }
    }

    /// <summary>Whether the process at the other end (SO_PEERCRED) descends from one of the session's processes.</summary>
    public bool Admits(Socket connection, string sessionId)
    {
        var pid = (int)TunnelListener.PeerProcessId(connection);
        if (pid > 0 && ProcessAncestry.DescendsFromAny(pid, sessions.ProcessesOf(sessionId)))
        {
            return true;
        }
        logger.LogWarning("Agent socket of session {SessionId} refused pid {Pid}: not a process of that connection's sessions", sessionId, pid);
        return false;
    }

    /// <summary>Creates the connection's private directory and returns the socket path to bind.</summary>
    private string Create(string sessionId)
    {
        var directory = Path.Combine(RuntimeDirectory(), $"k8shell-agent-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        GiveToUser(directory);
        var path = Path.Combine(directory, "agent.sock");
        if (!_pathBySession.TryAdd(sessionId, path))
        {
            Directory.Delete(directory);
            throw new InvalidOperationException($"session {sessionId} has an agent socket already");
        }
        return path;
    }

    /// <summary>The socket is bound: only its owner may connect (the directory already keeps others out).</summary>
    private void Secure(string path)
    {
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        GiveToUser(path);
    }

    /// <summary>The Listen call ended: the socket file went with the listener; the directory goes now.</summary>
    public void Remove(string sessionId)
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

    private void GiveToUser(string path)
    {
        if (account.SwitchFromRoot && LibC.chown(path, account.Uid, account.Gid) != 0)
        {
            throw new IOException($"chown {path}: {LibC.LastErrorText()}");
        }
    }
}
