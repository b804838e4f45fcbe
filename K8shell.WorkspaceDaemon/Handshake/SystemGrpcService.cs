using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Handshake;

/// <summary>Answers SystemService of workspace.proto; Unimplemented until the k8shelld issue fills it in.</summary>
internal sealed class SystemGrpcService : SystemService.SystemServiceBase;
