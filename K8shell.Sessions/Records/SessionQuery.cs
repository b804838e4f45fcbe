using Grpc.Core;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>A GetSessions, checked: every filter optional, a page of at most <see cref="MaxLimit"/>.</summary>
internal sealed record SessionQuery(
    string Username,
    string Workspace,
    GetSessionsRequest.Types.State State,
    long? StartedAfter,
    long? StartedBefore,
    int Limit,
    long Offset,
    bool NewestFirst)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The request's filters; InvalidArgument for a state or time that is none.</summary>
    public static SessionQuery From(GetSessionsRequest request)
    {
        if (!Enum.IsDefined(request.State))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"state {(int)request.State} is not one of STATE_ANY, STATE_ACTIVE, STATE_ENDED"));
        }
        return new SessionQuery(
            request.Username,
            request.Workspace,
            request.State,
            request.StartedAfter is { } after ? UnixTimes.Checked(after, "started_after") : null,
            request.StartedBefore is { } before ? UnixTimes.Checked(before, "started_before") : null,
            request.Limit == 0 ? DefaultLimit : (int)Math.Min(request.Limit, MaxLimit),
            request.Offset,
            request.Reverse);
    }

    /// <summary>The WHERE clause (empty when nothing filters) and its parameters.</summary>
    public (string Where, List<(string Name, object? Value)> Parameters) Filter()
    {
        var clauses = new List<string>();
        var parameters = new List<(string Name, object? Value)>();
        if (Username.Length > 0)
        {
            clauses.Add("username = @username");
            parameters.Add(("username", Username));
        }
        if (Workspace.Length > 0)
        {
            clauses.Add("workspace = @workspace");
            parameters.Add(("workspace", Workspace));
        }
        if (State == GetSessionsRequest.Types.State.Active)
        {
            clauses.Add("end_time IS NULL");
        }
        else if (State == GetSessionsRequest.Types.State.Ended)
        {
            clauses.Add("end_time IS NOT NULL");
        }
        if (StartedAfter is { } after)
        {
            clauses.Add("start_time >= @started_after");
            parameters.Add(("started_after", after));
        }
        if (StartedBefore is { } before)
        {
            clauses.Add("start_time < @started_before");
            parameters.Add(("started_before", before));
        }
        return (clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses), parameters);
    }
}
