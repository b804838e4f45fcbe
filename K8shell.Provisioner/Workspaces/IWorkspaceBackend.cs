using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// What runs workspaces: local k8shelld processes (<c>process</c>) or pods (<c>kubernetes</c>).
/// The gRPC service and the provisioning jobs know only this; a backend knows nothing of users,
/// entitlements or jobs beyond what <see cref="WorkspaceSpec"/> tells it.
/// </summary>
internal interface IWorkspaceBackend
{
    /// <summary>"process" or "kubernetes", as reported in <see cref="Workspace.Backend"/>.</summary>
    string Name { get; }

    /// <summary>The workspace named <paramref name="name"/> (a canonical ID) with its current status, or null.</summary>
    Task<Workspace?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every workspace this backend runs or keeps (stopped ones too).</summary>
    Task<IReadOnlyList<Workspace>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates what is missing of the workspace (all of it for a new one; only its processes or pod
    /// for a stopped one, whose home and storage are kept) and reports its progress until it is
    /// <see cref="WorkspaceStatus.Running"/>, has failed (<see cref="WorkspaceStatus.Failing"/>), or
    /// <paramref name="cancellationToken"/> fires. Idempotent: applying a running workspace again
    /// changes nothing and reports Running. The caller cleans up after a failure.
    /// </summary>
    IAsyncEnumerable<WorkspaceProgress> ApplyAsync(WorkspaceSpec spec, CancellationToken cancellationToken);

    /// <summary>Stops the workspace's processes (deletes the pod) and keeps its home and storage; nothing to stop is fine.</summary>
    Task StopAsync(string name, CancellationToken cancellationToken);

    /// <summary>Removes the workspace and everything it owns, home and storage included; nothing to remove is fine.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);
}
