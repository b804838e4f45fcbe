using Grpc.Core;
using K8shell.Contracts.Workspace.V1;
using K8shell.SshProxy.Connections;
using K8shell.SshProxy.Recording;
using K8shell.SshProxy.Workspaces;

namespace K8shell.SshProxy.Channels;

/// <summary>
/// The three programs a session channel can run, with everything that differs between them: the policy
/// <paramref name="Action"/> (SPEC.md §4), <c>session:start</c>'s <paramref name="SessionType"/>, the
/// <paramref name="StreamPrefix"/> (also the operation code), the recording kind, and the RPC that runs it.
/// </summary>
internal sealed record SessionKind(string Action, string SessionType, string StreamPrefix, RecordingKind Recording,
    Func<WorkspaceLink, Func<CallOptions, AsyncDuplexStreamingCall<ProcessRequest, ProcessResponse>>> Open)
{
    public static readonly SessionKind Shell = new("ssh:shell", "shell", ConnectionTraffic.Shell, RecordingKind.Shell, link => link.Processes.Shell);
    public static readonly SessionKind Exec = new("ssh:exec", "exec", ConnectionTraffic.Exec, RecordingKind.Exec, link => link.Processes.Exec);
    public static readonly SessionKind Sftp = new("ssh:sftp", "sftp", ConnectionTraffic.Sftp, RecordingKind.Sftp, link => link.Processes.Sftp);
}
