using System.Net;

namespace K8shell.SshProxy.SessionRecords;

/// <summary>
/// What a connection's session record says from the start, once its workspace is known (SPEC.md §5):
/// <see cref="SessionId"/> is <c>ProxyConnection.SessionId</c>, <see cref="Client"/> the client's SSH identification
/// line, <see cref="K8shelldVersion"/> what the workspace's daemon said its version is.
/// </summary>
internal sealed record SessionStart(
    string SessionId,
    string Username,
    string Workspace,
    string Blueprint,
    string Client,
    IPEndPoint ClientAddress,
    string ProxyId,
    string K8shelldVersion,
    DateTimeOffset StartTime);
