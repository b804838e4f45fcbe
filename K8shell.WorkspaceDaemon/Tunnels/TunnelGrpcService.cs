using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Tunnels;

/// <summary>Answers TunnelService (dial, listen, accept); Unimplemented until the k8shelld issue fills it in.</summary>
internal sealed class TunnelGrpcService : TunnelService.TunnelServiceBase;
