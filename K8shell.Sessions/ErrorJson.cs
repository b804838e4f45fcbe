using System.Text.Json;

namespace K8shell.Sessions;

/// <summary>
/// Every refusal of the HTTP API (<c>/api/sessions</c>, <c>/api/recordings</c>): <c>{"error":"…"}</c>, what was
/// wrong, naming the parameter. The replay page shows it; one shape for both endpoints' owners.
/// </summary>
internal sealed record ErrorJson(string Error)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The answer with <paramref name="status"/> and <paramref name="message"/> as its body.</summary>
    public static IResult Result(int status, string message) => Results.Json(new ErrorJson(message), Json, statusCode: status);
}
