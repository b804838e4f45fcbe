using K8shell.Contracts.Workspace.V1;

namespace K8shell.WorkspaceDaemon.Processes;

/// <summary>Answers ProcessService (shell, exec, sftp); Unimplemented until the k8shelld issue fills it in.</summary>
public sealed class ProcessGrpcService : ProcessService.ProcessServiceBase;
