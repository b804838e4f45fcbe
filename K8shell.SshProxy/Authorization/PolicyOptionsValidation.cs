using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Authorization;

/// <summary>
/// A policy that cannot be read would deny every channel later; it stops the proxy at start instead, naming
/// the key and, for a bad rules file, the line and field.
/// </summary>
internal sealed class PolicyOptionsValidation(IHostEnvironment environment) : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private IEnumerable<string> Problems(PolicyOptions options)
    {
        const string evaluator = $"{PolicyOptions.Section}:Evaluator";
        var url = options.Evaluator.Url;
        if (!string.IsNullOrEmpty(url) && (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https")))
        {
            yield return $"{evaluator}:Url: '{url}' is not an http or https address (e.g. http://opa:8181)";
        }
        if (options.Evaluator.Timeout <= TimeSpan.Zero)
        {
            yield return $"{evaluator}:Timeout: '{options.Evaluator.Timeout}' must be positive (default 00:00:02)";
        }
        if (!string.IsNullOrEmpty(url) && !string.IsNullOrEmpty(options.File))
        {
            yield return $"{PolicyOptions.Section}:File and {evaluator}:Url are both set; set one (the evaluator would make the file unused)";
        }
        else if (!string.IsNullOrEmpty(options.File) && Unreadable(PolicyEngine.RulesPath(options.File, environment)) is { } problem)
        {
            yield return $"{PolicyOptions.Section}:File: {problem}";
        }
    }

    private static string? Unreadable(string path)
    {
        try
        {
            PolicyFileParser.Parse(path);
            return null;
        }
        catch (Exception refused) when (refused is FormatException or IOException or UnauthorizedAccessException)
        {
            return refused.Message;
        }
    }
}
