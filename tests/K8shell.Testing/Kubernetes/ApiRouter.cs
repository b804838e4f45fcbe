using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The HTTP front of the emulator: sends each request to discovery or to the verb for its method and
/// URL, and turns every refusal into the <c>Status</c> answer real clients parse. Any bearer token is accepted.
/// </summary>
internal sealed class ApiRouter(ObjectStore store, TimeSpan bookmarkInterval, CancellationToken stopping)
{
    /// <summary>"METHOD /path?query" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public async Task HandleAsync(HttpContext context)
    {
        Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
        try
        {
            var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Select(Uri.UnescapeDataString).ToArray();
            if (Discovery.Answer(segments) is { } document)
            {
                await WriteAsync(context, StatusCodes.Status200OK, document);
                return;
            }
            await RouteAsync(context, ApiPath.Parse(segments));
        }
        catch (ApiException error) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, error.Code, error.ToStatus());
        }
        catch (JsonException error) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, ApiException.BadRequest($"the body is not valid JSON: {error.Message}").ToStatus());
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not OperationCanceledException)
        {
            // A bug in the emulator: say so in the answer, where the failing test shows it.
            var status = new ApiException(500, "InternalError", $"the Kubernetes emulator failed: {error}").ToStatus();
            await WriteAsync(context, StatusCodes.Status500InternalServerError, status);
        }
    }

    private async Task RouteAsync(HttpContext context, ApiPath path)
    {
        var query = ApiQuery.Read(context.Request.Query, path.Kind);
        var method = context.Request.Method;
        if (path.Subresource is { } subresource && subresource != "status")
        {
            throw ApiException.NoSuchPath();
        }
        if (path.Name is null)
        {
            if (method != HttpMethods.Get && path.Kind.Namespaced && path.Namespace is null)
            {
                throw ApiException.MethodNotAllowed(method);
            }
            await (method switch
            {
                "GET" when path.WatchPrefix || query.Watch => WatchAsync(context, path, query),
                "GET" => ResourceVerbs.ListAsync(context, store, path, query),
                "POST" => ResourceVerbs.CreateAsync(context, store, path, query),
                "DELETE" => ResourceVerbs.DeleteCollectionAsync(context, store, path, query),
                _ => throw ApiException.MethodNotAllowed(method),
            });
            return;
        }
        await (method switch
        {
            "GET" when path.WatchPrefix || query.Watch => WatchAsync(context, path, query),
            "GET" => WriteAsync(context, StatusCodes.Status200OK, store.Get(path.Kind, path.Namespace, path.Name)),
            "PUT" => ResourceVerbs.ReplaceAsync(context, store, path, query),
            "PATCH" => ResourceVerbs.PatchAsync(context, store, path, query),
            "DELETE" when path.Subresource is null => ResourceVerbs.DeleteAsync(context, store, path),
            _ => throw ApiException.MethodNotAllowed(method),
        });
    }

    private Task WatchAsync(HttpContext context, ApiPath path, ApiQuery query)
    {
        long? from = null;
        if (query.ResourceVersion is { } version && !query.SendInitialEvents)
        {
            from = long.TryParse(version, out var revision) && revision >= 0
                ? revision
                : throw ApiException.BadRequest($"invalid resource version \"{version}\"");
        }
        var filter = query.Filter;
        if (path.Name is { } name)
        {
            filter = obj => obj.Name() == name && query.Filter(obj);
        }
        var request = new WatchRequest(path.Kind, path.Namespace, filter, from,
            InitialEventsEndBookmark: query.SendInitialEvents && query.AllowBookmarks);
        return WatchStream.ServeAsync(context, store, request, query.Timeout, query.AllowBookmarks ? bookmarkInterval : null, stopping);
    }

    public static async Task WriteAsync(HttpContext context, int code, JsonNode document)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(document.ToJsonString()), context.RequestAborted);
    }
}
