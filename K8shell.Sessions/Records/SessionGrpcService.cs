using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>
/// SessionService of sessions.proto: the proxy reports sessions (upsert while open, end on close) and anyone
/// allowed to call may read them. Bad input is InvalidArgument naming the field; nothing is written then.
/// </summary>
internal sealed class SessionGrpcService(SessionStore store) : SessionService.SessionServiceBase
{
    public override Task<Session> UpsertSession(UpsertSessionRequest request, ServerCallContext context) =>
        store.UpsertAsync(SessionReport.From(request), context.CancellationToken);

    public override Task<Session> EndSession(EndSessionRequest request, ServerCallContext context) =>
        store.EndAsync(SessionEnding.From(request), context.CancellationToken);

    public override async Task<Session> GetSession(GetSessionRequest request, ServerCallContext context) =>
        await store.FindAsync(RequiredNames.Checked(request.SessionId, "session_id"), context.CancellationToken)
        ?? throw new RpcException(new Status(StatusCode.NotFound, $"there is no session {request.SessionId}"));

    public override async Task<GetSessionsResponse> GetSessions(GetSessionsRequest request, ServerCallContext context)
    {
        var (page, total) = await store.QueryAsync(SessionQuery.From(request), context.CancellationToken);
        return new GetSessionsResponse { Sessions = { page }, Total = (ulong)total };
    }
}
