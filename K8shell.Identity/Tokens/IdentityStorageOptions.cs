namespace K8shell.Identity.Tokens;

/// <summary>Where Identity keeps its state (signing keys, the user store): <c>Identity:DataDirectory</c>.</summary>
public sealed class IdentityStorageOptions
{
    public const string Section = "Identity";

    public string DataDirectory { get; set; } = "data";
}
