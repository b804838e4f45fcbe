using System.Data.Common;
using K8shell.Database;

namespace K8shell.Sessions;

/// <summary>
/// The HTTP API's answer when the database fails: 503 <c>{"error":…}</c> with the reason logged, as gRPC answers
/// Unavailable — for every <c>/api</c> endpoint at once, instead of each wrapping its store calls.
/// </summary>
internal sealed class StoreUnavailableFilter(ServiceDatabase database, ILogger<StoreUnavailableFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DbException failed)
        {
            logger.LogError(failed, "HTTP API: the session store ({Database}) failed", database.Description);
            return ErrorJson.Result(StatusCodes.Status503ServiceUnavailable, "the session store is unavailable; try again");
        }
    }
}
