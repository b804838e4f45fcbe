using System.Text.Json.Serialization;

namespace K8shell.SshProxy.Authorization;

/// <summary>
/// What a policy decides on (reference §4.2): the action, the resource it touches, the action's context
/// (its keys only when non-empty; <c>pty</c> only when true) and who asks. Serialised as OPA's
/// <c>input</c> document by the external evaluator, matched field by field by the rules file.
/// </summary>
internal sealed record PolicyInput(
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("resource")] PolicyResource Resource,
    [property: JsonPropertyName("context")] IReadOnlyDictionary<string, string> Context,
    [property: JsonPropertyName("subject")] PolicySubject Subject)
{
    /// <summary>The action's domain (<c>ssh</c> of <c>ssh:exec</c>, <c>session</c> of <c>session:start</c>): the policy package that decides it.</summary>
    [JsonIgnore]
    public string Domain => Action.Split(':', 2)[0];

    /// <summary>A context value, or empty when the action did not give it.</summary>
    public string ContextValue(string key) => Context.TryGetValue(key, out var value) ? value : "";
}

/// <summary>What an action touches. The proxy's actions all touch a workspace.</summary>
internal sealed record PolicyResource(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("attributes")] IReadOnlyDictionary<string, string> Attributes)
{
    public const string WorkspaceType = "workspace";
    public const string OwnerAttribute = "owner";
    public const string BlueprintAttribute = "blueprint";

    /// <summary>
    /// A workspace by name (empty while not yet found or provisioned), its owner (the SSH user) and its
    /// blueprint, which is left out when not known, as the contract makes it optional.
    /// </summary>
    public static PolicyResource Workspace(string name, string owner, string? blueprint)
    {
        var attributes = new Dictionary<string, string> { [OwnerAttribute] = owner };
        if (!string.IsNullOrEmpty(blueprint))
        {
            attributes[BlueprintAttribute] = blueprint;
        }
        return new(WorkspaceType, name, attributes);
    }

    /// <summary>An attribute, or empty when absent.</summary>
    public string Attribute(string key) => Attributes.TryGetValue(key, out var value) ? value : "";
}
