using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Sessions.V1;

namespace K8shell.Sessions.Records;

/// <summary>
/// <c>GET /api/sessions</c> and <c>GET /api/sessions/{id}</c>: the records as JSON for the replay page, behind the
/// same caller credential as gRPC. A bad parameter is 400 naming it; the query runs through the same checks as GetSessions.
/// </summary>
internal static class SessionsHttpApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string[] Parameters = ["user", "workspace", "state", "startedAfter", "startedBefore", "limit", "offset", "reverse"];

    public static void MapSessionsHttpApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/sessions", ListAsync).RequireAuthorization().AddEndpointFilter<StoreUnavailableFilter>();
        endpoints.MapGet("/api/sessions/{id}", GetAsync).RequireAuthorization().AddEndpointFilter<StoreUnavailableFilter>();
    }

    private static async Task<IResult> ListAsync(HttpRequest request, SessionStore store, CancellationToken cancellationToken)
    {
        GetSessionsRequest query;
        try
        {
            query = Parse(request.Query);
        }
        catch (FormatException bad)
        {
            return ErrorJson.Result(StatusCodes.Status400BadRequest, bad.Message);
        }
        var (page, total) = await store.QueryAsync(SessionQuery.From(query), cancellationToken);
        return Results.Json(new SessionPageJson([.. page.Select(SessionJson.From)], total), Json);
    }

    private static async Task<IResult> GetAsync(string id, SessionStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } session
            ? Results.Json(SessionJson.From(session), Json)
            : ErrorJson.Result(StatusCodes.Status404NotFound, $"there is no session {id}");

    /// <summary>The query string as a GetSessions request; FormatException naming the parameter that is wrong.</summary>
    private static GetSessionsRequest Parse(IQueryCollection query)
    {
        foreach (var (name, values) in query)
        {
            if (!Parameters.Contains(name))
            {
                throw new FormatException($"unknown parameter {name}; the parameters are {string.Join(", ", Parameters)}");
            }
            if (values.Count > 1)
            {
                throw new FormatException($"{name} is given {values.Count} times; give it once");
            }
        }
        return new GetSessionsRequest
        {
            Username = Single(query, "user") ?? "",
            Workspace = Single(query, "workspace") ?? "",
            State = Single(query, "state") switch
            {
                null or "any" => GetSessionsRequest.Types.State.Any,
                "active" => GetSessionsRequest.Types.State.Active,
                "ended" => GetSessionsRequest.Types.State.Ended,
                var other => throw new FormatException($"state is \"{other}\"; it must be any, active or ended"),
            },
            StartedAfter = Time(query, "startedAfter"),
            StartedBefore = Time(query, "startedBefore"),
            Limit = Count(query, "limit"),
            Offset = Count(query, "offset"),
            Reverse = Single(query, "reverse") switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw new FormatException($"reverse is \"{other}\"; it must be true or false"),
            },
        };
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;

    private static Timestamp? Time(IQueryCollection query, string name) => Single(query, name) switch
    {
        null => null,
        var text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) =>
            Timestamp.FromDateTimeOffset(time),
        var text => throw new FormatException($"{name} is \"{text}\"; it must be an ISO 8601 time such as 2026-11-24T09:30:00Z"),
    };

    private static uint Count(IQueryCollection query, string name) => Single(query, name) switch
    {
        null => 0,
        var text when uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) => count,
        var text => throw new FormatException($"{name} is \"{text}\"; it must be a whole number from 0 to {uint.MaxValue}"),
    };
}
