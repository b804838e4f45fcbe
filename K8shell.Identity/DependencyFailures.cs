using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using K8shell.Database;
using K8shell.Identity.Users.OAuth;

namespace K8shell.Identity;

/// <summary>
/// Turns failures of what Identity depends on into precise statuses, never "Internal": a provider that
/// cannot be reached or answers nonsense → Unavailable; a provider refusing for a reason an operator must
/// fix → FailedPrecondition; the user store failing → Unavailable. Each is logged once, here.
/// </summary>
public sealed class DependencyFailures(ServiceDatabase database, ILogger<DependencyFailures> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (ProviderUnavailableException unavailable)
        {
            logger.LogWarning("{Method}: {Problem}", context.Method, unavailable.Message);
            throw new RpcException(new Status(StatusCode.Unavailable, unavailable.Message));
        }
        catch (ProviderRefusedException refused)
        {
            logger.LogError("{Method}: {Problem}", context.Method, refused.Message);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, refused.Message));
        }
        catch (DbException failed)
        {
            logger.LogError(failed, "{Method}: the user store ({Database}) failed", context.Method, database.Description);
            throw new RpcException(new Status(StatusCode.Unavailable, "the user store is unavailable; try again"));
        }
    }
}
