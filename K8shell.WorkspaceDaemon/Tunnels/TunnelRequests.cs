using K8shell.WorkspaceDaemon.Tunnels;

namespace K8shell.Contracts.Workspace.V1;

// The generated members (HasData, Data, Eof) already match ITunnelRequest; these only declare it.

internal sealed partial class DialTcpRequest : ITunnelRequest;

internal sealed partial class DialUnixRequest : ITunnelRequest;

internal sealed partial class AcceptRequest : ITunnelRequest;
