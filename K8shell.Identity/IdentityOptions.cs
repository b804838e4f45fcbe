namespace K8shell.Identity;

/// <summary>Section <c>Identity</c>: where users come from and where Identity keeps its state.</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>YAML user files (reference §3.4), relative to the content root.</summary>
    public List<string> UserFiles { get; set; } = [];

    /// <summary>State (signing keys, the user store), relative to the content root.</summary>
    public string DataDirectory { get; set; } = "data";
}
