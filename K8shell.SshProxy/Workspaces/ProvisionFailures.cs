using Grpc.Core;

namespace K8shell.SshProxy.Workspaces;

/// <summary>What the person at the terminal reads when the Provisioner says no (reference §1.7 step 3).</summary>
internal static class ProvisionFailures
{
    public static WorkspaceUnavailableException From(RpcException failure) => new(failure.StatusCode switch
    {
        StatusCode.PermissionDenied => $"not allowed: {failure.Status.Detail}",
        StatusCode.NotFound => failure.Status.Detail,
        StatusCode.InvalidArgument => $"invalid request: {failure.Status.Detail}",
        StatusCode.FailedPrecondition => $"workspace cannot start: {failure.Status.Detail}",
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => "provisioning service unavailable, try again",
        StatusCode.ResourceExhausted => $"no room for the workspace: {failure.Status.Detail}",
        _ => $"workspace could not be prepared ({failure.StatusCode}): {failure.Status.Detail}",
    }, failure);
}
