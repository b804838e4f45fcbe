using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Channels;

/// <summary>Stops the proxy at start-up with a message naming the key when a channel setting cannot work.</summary>
internal sealed class ChannelOptionsValidation : IValidateOptions<ChannelOptions>
{
    public ValidateOptionsResult Validate(string? name, ChannelOptions options)
    {
        var failures = new List<string>();
        if (options.MaxDirectTcpip < 1)
        {
            failures.Add($"{ChannelOptions.Section}:MaxDirectTcpip must be at least 1 (got {options.MaxDirectTcpip})");
        }
        foreach (var (pattern, index) in (options.EnvAllowList ?? []).Select((pattern, index) => (pattern, index)))
        {
            if (string.IsNullOrWhiteSpace(pattern) || pattern.IndexOf('*') is >= 0 and var star && star != pattern.Length - 1)
            {
                failures.Add($"{ChannelOptions.Section}:EnvAllowList:{index} must be a variable name, optionally ending with * (got \"{pattern}\")");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
