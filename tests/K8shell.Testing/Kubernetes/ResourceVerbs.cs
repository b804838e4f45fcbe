using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The verbs on a resource URL: list (with selectors and paging), create, replace, patch (merge,
/// strategic merge as merge, JSON patch, server-side apply), delete and deletecollection, answered
/// with the codes and bodies the real server uses.
/// </summary>
internal static class ResourceVerbs
{
    public static async Task ListAsync(HttpContext context, ObjectStore store, ApiPath path, ApiQuery query)
    {
        var (items, revision) = store.List(path.Kind, path.Namespace, query.Filter);
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString() };
        if (query.Continue is { } token)
        {
            var after = ContinueKey(token);
            items = items.Where(item => string.CompareOrdinal(Position(item), after) > 0).ToList();
        }
        if (query.Limit is { } limit && items.Count > limit)
        {
            metadata["continue"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(Position(items[limit - 1])));
            metadata["remainingItemCount"] = items.Count - limit;
            items = items.Take(limit).ToList();
        }
        await ApiRouter.WriteAsync(context, StatusCodes.Status200OK, ListOf(path.Kind, metadata, items));
    }

    public static async Task CreateAsync(HttpContext context, ObjectStore store, ApiPath path, ApiQuery query)
    {
        RequireJson(context);
        var created = store.Create(path.Kind, path.Namespace, await ReadObjectAsync(context), query.DryRun);
        await ApiRouter.WriteAsync(context, StatusCodes.Status201Created, created);
    }

    public static async Task ReplaceAsync(HttpContext context, ObjectStore store, ApiPath path, ApiQuery query)
    {
        RequireJson(context);
        var body = await ReadObjectAsync(context);
        var updated = store.Update(path.Kind, path.Namespace, path.Name!, _ => body, Scope(path), query.DryRun);
        await ApiRouter.WriteAsync(context, StatusCodes.Status200OK, updated);
    }

    public static async Task PatchAsync(HttpContext context, ObjectStore store, ApiPath path, ApiQuery query)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        var body = await ReadAsync(context);
        var name = path.Name!;
        switch (mediaType)
        {
            case "application/merge-patch+json" or "application/strategic-merge-patch+json":
                var mergePatch = Parse(body);
                var merged = store.Update(path.Kind, path.Namespace, name,
                    current => MergePatch.Apply(current, mergePatch) as JsonObject ?? throw ApiException.BadRequest("a merge patch must be a JSON object"),
                    Scope(path), query.DryRun);
                await ApiRouter.WriteAsync(context, StatusCodes.Status200OK, merged);
                break;
            case "application/json-patch+json":
                var jsonPatch = Parse(body);
                var patched = store.Update(path.Kind, path.Namespace, name, current => JsonPatch.Apply(current, jsonPatch), Scope(path), query.DryRun);
                await ApiRouter.WriteAsync(context, StatusCodes.Status200OK, patched);
                break;
            case "application/apply-patch+yaml":
                if (query.FieldManager is null)
                {
                    throw new ApiException(400, "BadRequest", "PATCH, application/apply-patch+yaml requires the fieldManager parameter");
                }
                // JSON is YAML; the emulator reads apply patches written as JSON (what client libraries send).
                var applied = Parse(body) as JsonObject
                    ?? throw ApiException.BadRequest("the emulator reads server-side apply bodies written as a JSON object");
                var (result, created) = store.Apply(path.Kind, path.Namespace, name, applied, Scope(path), query.DryRun);
                await ApiRouter.WriteAsync(context, created ? StatusCodes.Status201Created : StatusCodes.Status200OK, result);
                break;
            default:
                throw ApiException.UnsupportedMediaType(context.Request.ContentType);
        }
    }

    public static async Task DeleteAsync(HttpContext context, ObjectStore store, ApiPath path)
    {
        var body = await ReadAsync(context);
        var options = ApiQuery.ReadDeleteOptions(context.Request.Query, body.Length == 0 ? null : Parse(body) as JsonObject);
        var (obj, gone) = store.Delete(path.Kind, path.Namespace, path.Name!, options);
        // 202 while the object still exists (terminating); the deleted object, or a Success status for kinds that answer so.
        var code = gone ? StatusCodes.Status200OK : StatusCodes.Status202Accepted;
        await ApiRouter.WriteAsync(context, code, path.Kind.ReturnsDeletedObject || !gone ? obj : Success(path.Kind, obj));
    }

    public static async Task DeleteCollectionAsync(HttpContext context, ObjectStore store, ApiPath path, ApiQuery query)
    {
        var body = await ReadAsync(context);
        var options = ApiQuery.ReadDeleteOptions(context.Request.Query, body.Length == 0 ? null : Parse(body) as JsonObject);
        var deleted = store.DeleteCollection(path.Kind, path.Namespace, query.Filter, options);
        var metadata = new JsonObject { ["resourceVersion"] = store.Revision.ToString() };
        await ApiRouter.WriteAsync(context, StatusCodes.Status200OK, ListOf(path.Kind, metadata, deleted));
    }

    private static WriteScope Scope(ApiPath path) => path.Subresource == "status" ? WriteScope.Status : WriteScope.Main;

    /// <summary>A list as the server sends it: items without their own kind and apiVersion.</summary>
    private static JsonObject ListOf(ResourceKind kind, JsonObject metadata, IEnumerable<JsonObject> items) => new()
    {
        ["kind"] = kind.ListKind,
        ["apiVersion"] = kind.ApiVersion,
        ["metadata"] = metadata,
        ["items"] = new JsonArray(items.Select(item =>
        {
            item.Remove("kind");
            item.Remove("apiVersion");
            return (JsonNode)item;
        }).ToArray()),
    };

    private static JsonObject Success(ResourceKind kind, JsonObject deleted)
    {
        var details = ApiException.Details(kind, deleted.Name() ?? "");
        details["uid"] = deleted.Uid();
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    private static string Position(JsonObject item) => $"{item.Namespace()}/{item.Name()}";

    private static string ContinueKey(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest($"invalid continue token \"{token}\"");
        }
    }

    private static void RequireJson(HttpContext context)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not (null or "" or "application/json"))
        {
            throw ApiException.UnsupportedMediaType(context.Request.ContentType);
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        Parse(await ReadAsync(context)) as JsonObject ?? throw ApiException.BadRequest("the body must be a JSON object");

    private static async Task<string> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    private static JsonNode? Parse(string body) => body.Length == 0
        ? throw ApiException.BadRequest("the request has no body")
        : JsonNode.Parse(body);
}
