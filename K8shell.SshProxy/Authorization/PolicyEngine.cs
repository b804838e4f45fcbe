using K8shell.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Authorization;

/// <summary>
/// Decides every channel and request of every connection (SPEC.md §4) with the one policy configured: the
/// external evaluator, else the rules file (kept current as it changes), else the built-in policy. Fails
/// closed: an evaluation that throws is a denial. Counts and logs denials.
/// </summary>
internal sealed class PolicyEngine : IDisposable
{
    private readonly Func<PolicyInput, CancellationToken, ValueTask<PolicyDecision>> _evaluate;
    private readonly IDisposable? _source;
    private readonly PolicyMetrics _metrics;
    private readonly ILogger<PolicyEngine> _logger;

    public PolicyEngine(IOptions<PolicyOptions> options, IHostEnvironment environment, PolicyMetrics metrics, ILogger<PolicyEngine> logger)
    {
        _metrics = metrics;
        _logger = logger;
        var policy = options.Value;
        if (!string.IsNullOrEmpty(policy.Evaluator.Url))
        {
            var evaluator = new ExternalPolicyEvaluator(policy.Evaluator.Url, policy.Evaluator.Timeout, logger);
            (_evaluate, _source) = (evaluator.EvaluateAsync, evaluator);
            logger.LogInformation("Policy decisions come from the evaluator at {Url}", policy.Evaluator.Url);
        }
        else if (!string.IsNullOrEmpty(policy.File))
        {
            var path = RulesPath(policy.File, environment);
            var rules = new ReloadedFiles<PolicyRuleSet>([Path.GetDirectoryName(path)!], () =>
            {
                var set = PolicyFileParser.Parse(path);
                logger.LogInformation("Loaded {Count} policy rules from {File}, default {Default}", set.Rules.Count, path, set.Default);
                return set;
            }, "Policy rules", logger);
            (_evaluate, _source) = ((input, _) => ValueTask.FromResult(rules.Current.Decide(input)), rules);
        }
        else
        {
            _evaluate = (input, _) => ValueTask.FromResult(PolicyRuleSet.BuiltIn.Decide(input));
            logger.LogInformation("No policy configured: everything is allowed except root for users without sudo");
        }
    }

    /// <summary>Where <c>SshProxy:Policy:File</c> points, relative to the content root.</summary>
    public static string RulesPath(string file, IHostEnvironment environment) => Path.GetFullPath(file, environment.ContentRootPath);

    public async ValueTask<PolicyDecision> EvaluateAsync(PolicyInput input, CancellationToken cancellationToken)
    {
        PolicyDecision decision;
        try
        {
            decision = await _evaluate(input, cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.LogError(failure, "Policy evaluation of {Action} for {User} failed, denied", input.Action, input.Subject.Username);
            decision = PolicyDecision.Deny("policy evaluation failed");
        }
        if (!decision.Allowed)
        {
            _metrics.Denied(input.Action);
            _logger.LogInformation("Policy denied {Action} for {User} on workspace {Workspace}: {Reason}",
                input.Action, input.Subject.Username, input.Resource.Id, decision.Reason);
        }
        return decision;
    }

    public void Dispose() => _source?.Dispose();
}
