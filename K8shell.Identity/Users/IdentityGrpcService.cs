using K8shell.Contracts.Identity.V1;

namespace K8shell.Identity.Users;

/// <summary>Answers identity.proto; every RPC is Unimplemented until the Identity issue fills it in.</summary>
internal sealed class IdentityGrpcService : IdentityService.IdentityServiceBase;
