using System.Text;
using Microsoft.AspNetCore.Http;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// Serves one watch over HTTP as the API server does: a 200 whose chunked body is one JSON object per
/// line (<c>{"type":"ADDED","object":{...}}</c>), BOOKMARKs on a timer when asked for, the stream ended
/// after <c>timeoutSeconds</c>, on an ERROR event, or when the emulator closes watches.
/// </summary>
internal static class WatchStream
{
    public static async Task ServeAsync(HttpContext context, ObjectStore store, WatchRequest request,
        TimeSpan? timeout, TimeSpan? bookmarkInterval, CancellationToken stopping)
    {
        using var watch = store.Watch(request);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        // Headers go out now: clients wait for them before they read events.
        await context.Response.StartAsync(context.RequestAborted);

        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        if (timeout is { } limit)
        {
            end.CancelAfter(limit);
        }
        var bookmarks = bookmarkInterval is { } interval ? SendBookmarksAsync(store, watch, interval, end.Token) : Task.CompletedTask;
        try
        {
            var reader = watch.Items;
            while (await reader.WaitToReadAsync(end.Token))
            {
                while (reader.TryRead(out var item))
                {
                    await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"{item.Type}\",\"object\":{item.Json}}}\n"), end.Token);
                }
                await context.Response.Body.FlushAsync(end.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone or emulator stopping: the stream just ends.
        }
        finally
        {
            await end.CancelAsync();
            await bookmarks;
        }
    }

    private static async Task SendBookmarksAsync(ObjectStore store, WatchSubscription watch, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                store.Bookmark(watch);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
