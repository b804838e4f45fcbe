namespace K8shell.AppHost.Model;

/// <summary>
/// An input from outside the model. Locally its value comes from the environment (<c>Parameters__&lt;name&gt;</c>,
/// Aspire's <c>Parameters:&lt;name&gt;</c>) or from its default, once per run; a manifest asks the deployer for it.
/// </summary>
public sealed record ParameterResource(string Name, bool Secret, ParameterDefault? Default)
    : Resource(Name), IValueProvider, IManifestExpressionProvider
{
    private string? _value;

    public string ValueExpression => $"{{{Name}.value}}";

    public string GetValue() => _value ??=
        Environment.GetEnvironmentVariable($"Parameters__{Name}") is { Length: > 0 } configured ? configured
        : Default?.GetDefaultValue()
        ?? throw new InvalidOperationException($"Parameter '{Name}' has no value: set Parameters__{Name}.");
}

/// <summary>What a parameter takes when it is not given.</summary>
public abstract record ParameterDefault
{
    public abstract string GetDefaultValue();
}

/// <summary>A fixed default, published as <c>"default": { "value": ... }</c>.</summary>
public sealed record ConstantParameterDefault(string Value) : ParameterDefault
{
    public override string GetDefaultValue() => Value;
}

/// <summary>A random default (a password, a token), published as <c>"default": { "generate": { ... } }</c> for the deployer to generate.</summary>
public sealed record GenerateParameterDefault : ParameterDefault
{
    public int MinLength { get; init; } = 22;

    public bool Lower { get; init; } = true;

    public bool Upper { get; init; } = true;

    public bool Numeric { get; init; } = true;

    public bool Special { get; init; } = true;

    public override string GetDefaultValue()
    {
        var alphabet = (Lower ? "abcdefghijklmnopqrstuvwxyz" : "") + (Upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : "")
            + (Numeric ? "0123456789" : "") + (Special ? "-_.~!*" : "");
        return System.Security.Cryptography.RandomNumberGenerator.GetString(alphabet, MinLength);
    }
}
