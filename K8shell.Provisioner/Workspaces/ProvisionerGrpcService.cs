using K8shell.Contracts.Provisioner.V1;

namespace K8shell.Provisioner.Workspaces;

/// <summary>Answers provisioner.proto; every RPC is Unimplemented until the Provisioner issue fills it in.</summary>
internal sealed class ProvisionerGrpcService : ProvisionerService.ProvisionerServiceBase;
