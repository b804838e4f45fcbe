using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Admission;

/// <summary>Options that can say what is wrong with them, each message naming the configuration key to fix.</summary>
internal interface IValidatedOptions
{
    IEnumerable<string> Problems();
}

/// <summary>Turns <see cref="IValidatedOptions.Problems"/> into an options validation result (checked at start with ValidateOnStart).</summary>
internal sealed class ProblemsValidator<TOptions> : IValidateOptions<TOptions> where TOptions : class, IValidatedOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
