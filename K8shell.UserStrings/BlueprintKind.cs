namespace K8shell.UserStrings;

/// <summary>Where the blueprint name came from: the Provisioner resolves each kind differently.</summary>
public enum BlueprintKind
{
    /// <summary>Not in the string: chosen from the user's allowed blueprints (see <see cref="UserString.WithBlueprint"/>).</summary>
    Implicit,

    /// <summary>Named in the string (<c>alice~dev</c>).</summary>
    Explicit,

    /// <summary>Derived from a repository (<c>repo-&lt;owner&gt;-&lt;name&gt;</c>); the blueprint lives in the repo.</summary>
    Custom,
}
