namespace K8shell.Provisioner.Workspaces;

/// <summary>The backend cannot be reached or cannot act (API server down, no free port): the service answers Unavailable with the message.</summary>
public sealed class WorkspaceBackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
