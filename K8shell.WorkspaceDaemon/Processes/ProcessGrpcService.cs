using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>Answers ProcessService (shell, exec, sftp); Unimplemented until the k8shelld issue fills it in.</summary>
internal sealed class ProcessGrpcService : ProcessService.ProcessServiceBase;
