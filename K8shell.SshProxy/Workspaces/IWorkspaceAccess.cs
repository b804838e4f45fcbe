using K8shell.Ssh.Connection;

namespace K8shell.SshProxy.Workspaces;

/// <summary>The workspace of one connection, found or started once however many channels ask.</summary>
internal interface IWorkspaceAccess
{
    /// <summary>
    /// The workspace's daemon, ready for calls. <paramref name="terminal"/> is the channel of an
    /// interactive PTY shell, which shows progress and the splash and can cancel with Ctrl+C (what
    /// the user types meanwhile is kept in <see cref="WorkspaceTerminal.TypedAhead"/>); null for every
    /// other channel, which prepares silently. Fails with <see cref="WorkspaceUnavailableException"/>
    /// whose message is fit for the person at the terminal.
    /// </summary>
    ValueTask<WorkspaceLink> GetAsync(WorkspaceTerminal? terminal, CancellationToken cancellationToken);
}

/// <summary>A PTY shell's channel while its workspace is prepared.</summary>
internal sealed class WorkspaceTerminal(SshChannel channel)
{
    public SshChannel Channel { get; } = channel;

    /// <summary>What the user typed while waiting (not Ctrl+C): the shell gets it first.</summary>
    public ReadOnlyMemory<byte> TypedAhead { get; set; }

    /// <summary>The progress line ended with ✗ and the reason: the person has read it, once is enough.</summary>
    public bool FailureShown { get; set; }
}

/// <summary>The workspace cannot be reached; the message says why, for the person at the terminal.</summary>
internal sealed class WorkspaceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
