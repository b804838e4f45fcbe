using System.Data.Common;
using Grpc.Core;
using Grpc.Core.Interceptors;
using K8shell.Database;

namespace K8shell.Sessions.Records;

/// <summary>
/// A failing database is Unavailable (the proxy tries again at its next report), logged once here with the
/// reason, instead of the Unknown an unhandled exception would give.
/// </summary>
internal sealed class StoreFailures(ServiceDatabase database, ILogger<StoreFailures> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (DbException failed)
        {
            logger.LogError(failed, "{Method}: the session store ({Database}) failed", context.Method, database.Description);
            throw new RpcException(new Status(StatusCode.Unavailable, "the session store is unavailable; try again"));
        }
    }
}
