using System.Collections.Concurrent;
using K8shell.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace K8shell.SshProxy.Tests.Authorization;

/// <summary>
/// An evaluator with OPA's REST data API on loopback: answers every <c>POST /v1/data/…</c> with the status and
/// body the test sets, after the delay it sets, and keeps what was asked.
/// </summary>
internal sealed class LocalPolicyEvaluator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalPolicyEvaluator(WebApplication app) => _app = app;

    public string Address => _app.Urls.First();

    public int Status { get; set; } = StatusCodes.Status200OK;

    public string Answer { get; set; } = """{"result": {"allow": true}}""";

    /// <summary>How long every answer is held back (to play an evaluator that does not answer).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Every request as (path, body).</summary>
    public ConcurrentQueue<(string Path, string Body)> Requests { get; } = new();

    public static async Task<LocalPolicyEvaluator> StartAsync(CancellationToken cancellationToken)
    {
        var app = LoopbackWebApplication.CreateBuilder().Build();
        var evaluator = new LocalPolicyEvaluator(app);
        app.MapPost("/v1/data/{**package}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            evaluator.Requests.Enqueue((context.Request.Path, await reader.ReadToEndAsync(context.RequestAborted)));
            await Task.Delay(evaluator.Delay, context.RequestAborted);
            return Results.Text(evaluator.Answer, "application/json", statusCode: evaluator.Status);
        });
        await app.StartAsync(cancellationToken);
        return evaluator;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
