using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Recording;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Channels;

/// <summary>The three programs a session channel can run, with everything that differs between them: action, codes, RPC.</summary>
internal sealed class SessionKind
{
    public static readonly SessionKind Shell = new("ssh:shell", "shell", ConnectionTraffic.Shell, RecordingKind.Shell, link => link.Processes.Shell);
    public static readonly SessionKind Exec = new("ssh:exec", "exec", ConnectionTraffic.Exec, RecordingKind.Exec, link => link.Processes.Exec);
    public static readonly SessionKind Sftp = new("ssh:sftp", "sftp", ConnectionTraffic.Sftp, RecordingKind.Sftp, link => link.Processes.Sftp);

    private readonly Func<WorkspaceLink, Func<CallOptions, AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse>>> _open;

    private SessionKind(string action, string sessionType, string streamPrefix, RecordingKind recording,
        Func<WorkspaceLink, Func<CallOptions, AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse>>> open)
    {
        Action = action;
        SessionType = sessionType;
        StreamPrefix = streamPrefix;
        Recording = recording;
        _open = open;
    }

    /// <summary>The policy action (SPEC.md §4).</summary>
    public string Action { get; }

    /// <summary><c>session:start</c>'s session_type.</summary>
    public string SessionType { get; }

    /// <summary>The stream ID prefix, which is also the operation code.</summary>
    public string StreamPrefix { get; }

    public RecordingKind Recording { get; }

    public Func<CallOptions, AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse>> Open(WorkspaceLink link) => _open(link);
}
