namespace K8shell.SshProxy.Authorization;

/// <summary>
/// Section <c>SshProxy:Policy</c>: where decisions come from. An evaluator URL wins over a rules file; with
/// neither, the built-in policy applies (allow all but root without sudo).
/// </summary>
internal sealed class PolicyOptions
{
    public const string Section = "SshProxy:Policy";

    /// <summary>A YAML rules file (relative to the content root), watched and reloaded on change.</summary>
    public string? File { get; set; }

    public PolicyEvaluatorOptions Evaluator { get; set; } = new();
}

/// <summary>Section <c>SshProxy:Policy:Evaluator</c>: an external evaluator with OPA's REST data API.</summary>
internal sealed class PolicyEvaluatorOptions
{
    /// <summary>The evaluator's base address (<c>http://opa:8181</c>); decisions come from <c>{Url}/v1/data/k8shell/&lt;domain&gt;</c>.</summary>
    public string? Url { get; set; }

    /// <summary>How long one decision may take before it counts as a denial.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}
