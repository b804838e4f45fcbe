namespace K8shell.Identity.Callers;

/// <summary>
/// Who may call Identity's RPCs (section <c>Identity:Callers</c>). <see cref="StaticTokens"/>: caller
/// name → shared secret, for development and the local stack.
/// </summary>
public sealed class CallerOptions
{
    public const string Section = "Identity:Callers";

    public Dictionary<string, string> StaticTokens { get; set; } = [];
}
