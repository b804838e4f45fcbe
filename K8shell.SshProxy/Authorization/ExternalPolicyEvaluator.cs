using System.Text.Json;

namespace K8shell.SshProxy.Authorization;

/// <summary>
/// Decisions from an evaluator with OPA's REST data API: <c>POST {url}/v1/data/k8shell/&lt;domain&gt;</c> with
/// <c>{"input": …}</c>, answered by <c>{"result": {"allow": bool, "reason": "…", "obligations": {…}}}</c>.
/// Fails closed: no answer in time, an error status, an answer that is not that shape, or no result (OPA's
/// answer for a package it does not have) is a denial whose reason names the problem.
/// </summary>
internal sealed class ExternalPolicyEvaluator : IDisposable
{
    private readonly string _url;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;

    // Its own client, not the factory's: the service defaults put a retrying resilience handler on every
    // factory client, and a policy answer must be one attempt within the timeout, its failure a denial.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public ExternalPolicyEvaluator(string url, TimeSpan timeout, ILogger logger)
    {
        _url = url.TrimEnd('/');
        _timeout = timeout;
        _logger = logger;
    }

    public async ValueTask<PolicyDecision> EvaluateAsync(PolicyInput input, CancellationToken cancellationToken)
    {
        var package = $"k8shell/{input.Domain}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var response = await _http.PostAsJsonAsync($"{_url}/v1/data/{package}", new { input }, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return Failed(input, $"the policy evaluator answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(deadline.Token), default, deadline.Token);
            return Decision(input, package, answer.RootElement);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(input, $"the policy evaluator did not answer within {_timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException unreachable)
        {
            return Failed(input, $"the policy evaluator cannot be reached ({unreachable.HttpRequestError})");
        }
        catch (JsonException)
        {
            return Failed(input, "the policy evaluator's answer is not JSON");
        }
    }

    private PolicyDecision Decision(PolicyInput input, string package, JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            return Failed(input, $"the policy evaluator has no result for {package}");
        }
        if (!result.TryGetProperty("allow", out var allow) || allow.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return Failed(input, $"the policy evaluator's result for {package} has no allow true or false");
        }
        var reason = result.TryGetProperty("reason", out var given) && given.ValueKind == JsonValueKind.String ? given.GetString()! : "";
        if (!allow.GetBoolean())
        {
            return PolicyDecision.Deny(reason.Length > 0 ? reason : "denied by policy");
        }
        var obligations = new Dictionary<string, string>();
        if (result.TryGetProperty("obligations", out var listed) && listed.ValueKind == JsonValueKind.Object)
        {
            // Obligations are strings (reference §4.2); a list or number the policy built is passed on as compact JSON text.
            foreach (var obligation in listed.EnumerateObject())
            {
                obligations[obligation.Name] = obligation.Value.ValueKind == JsonValueKind.String ? obligation.Value.GetString()! : JsonSerializer.Serialize(obligation.Value);
            }
        }
        return new PolicyDecision(true, reason, obligations);
    }

    private PolicyDecision Failed(PolicyInput input, string problem)
    {
        _logger.LogError("Policy evaluation of {Action} for {User} failed, denied: {Problem} ({Url})", input.Action, input.Subject.Username, problem, _url);
        return PolicyDecision.Deny($"policy evaluation failed: {problem}");
    }

    public void Dispose() => _http.Dispose();
}
