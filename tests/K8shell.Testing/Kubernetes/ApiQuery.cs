using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace K8shell.Testing.Kubernetes;

/// <summary>The query parameters of list, watch and write requests, read once.</summary>
internal sealed record ApiQuery(
    LabelSelector Labels,
    FieldSelector Fields,
    bool Watch,
    string? ResourceVersion,
    TimeSpan? Timeout,
    bool AllowBookmarks,
    bool SendInitialEvents,
    int? Limit,
    string? Continue,
    bool DryRun,
    string? FieldManager)
{
    public static ApiQuery Read(IQueryCollection query, ResourceKind kind) => new(
        LabelSelector.Parse(query["labelSelector"]),
        FieldSelector.Parse(kind, query["fieldSelector"]),
        Flag(query, "watch"),
        query["resourceVersion"].ToString() is { Length: > 0 } version ? version : null,
        Integer(query, "timeoutSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        Flag(query, "allowWatchBookmarks"),
        Flag(query, "sendInitialEvents"),
        Integer(query, "limit") is > 0 and var limit ? (int)limit : null,
        query["continue"].ToString() is { Length: > 0 } token ? token : null,
        query["dryRun"].ToString() == "All",
        query["fieldManager"].ToString() is { Length: > 0 } manager ? manager : null);

    public Func<JsonObject, bool> Filter => obj => Labels.Matches(obj) && Fields.Matches(obj);

    /// <summary>A delete's options: the query string wins over the <c>DeleteOptions</c> body.</summary>
    public static DeleteOptions ReadDeleteOptions(IQueryCollection query, JsonObject? body) => new(
        Integer(query, "gracePeriodSeconds") ?? body.Number("gracePeriodSeconds"),
        query["propagationPolicy"].ToString() is { Length: > 0 } policy ? policy : body.Text("propagationPolicy")
            ?? (body?["orphanDependents"]?.ToString() == "true" ? "Orphan" : null),
        body.Text("preconditions", "uid"),
        body.Text("preconditions", "resourceVersion"),
        query["dryRun"].ToString() == "All" || (body?["dryRun"] as JsonArray)?.Any(value => value?.ToString() == "All") == true);

    private static bool Flag(IQueryCollection query, string name) => query[name].ToString() is "true" or "1";

    private static long? Integer(IQueryCollection query, string name) =>
        query[name].ToString() is { Length: > 0 } text
            ? long.TryParse(text, out var number) ? number : throw ApiException.BadRequest($"{name}: invalid value \"{text}\"")
            : null;
}
