namespace K8shell.Provisioner.Workspaces;

/// <summary>The backend cannot be reached or cannot act (an API server down, say): the gRPC service answers Unavailable with the message.</summary>
internal sealed class WorkspaceBackendUnavailableException(string message) : Exception(message);
