namespace K8shell.SshProxy.Channels;

/// <summary>Which <c>env</c> requests a session honours: exact names, or prefixes written <c>NAME_*</c>.</summary>
internal sealed class EnvAllowList(IEnumerable<string> patterns)
{
    private readonly string[] _patterns = [.. patterns];

    public bool Allows(string name) => name.Length > 0 && _patterns.Any(pattern => pattern.EndsWith('*')
        ? name.StartsWith(pattern[..^1], StringComparison.Ordinal)
        : name.Equals(pattern, StringComparison.Ordinal));
}
