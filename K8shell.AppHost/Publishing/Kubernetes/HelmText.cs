using System.Text.Encodings.Web;
using System.Text.Json;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// A string of a chart template: literal text and Helm actions (<c>.Values.config.identity.X</c>). Templates use
/// only plain substitution (<c>.Values</c>, <c>.Release</c>, <c>required</c>, <c>quote</c>), so they render
/// the same in Helm and in the tests' small renderer.
/// </summary>
internal sealed record HelmText(IReadOnlyList<HelmText.Part> Parts)
{
    public abstract record Part;

    public sealed record Literal(string Text) : Part;

    /// <summary>One action's pipeline, e.g. <c>.Values.config.identity.X</c> or <c>.Release.Namespace</c>.</summary>
    public sealed record Action(string Pipeline, bool IsSecret = false) : Part;

    private static readonly JsonSerializerOptions Escaping = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static HelmText Of(string literal) => new([new Literal(literal)]);

    public static HelmText Value(string path) => new([new Action($".Values.{path}")]);

    /// <summary>A secret from values.yaml, which has no default: the install fails naming it until it is given.</summary>
    public static HelmText RequiredSecret(string path) =>
        new([new Action($"required \"{path} is required: letters and digits, e.g. openssl rand -hex 24\" .Values.{path}", IsSecret: true)]);

    public static HelmText ReleaseNamespace { get; } = new([new Action(".Release.Namespace")]);

    public static HelmText ReleaseName { get; } = new([new Action(".Release.Name")]);

    public static HelmText Concat(IEnumerable<HelmText> texts) => new([.. texts.SelectMany(text => text.Parts)]);

    public bool IsSecret => Parts.Any(part => part is Action { IsSecret: true });

    public bool IsLiteral => Parts.All(part => part is Literal);

    public string LiteralText => IsLiteral
        ? string.Concat(Parts.Cast<Literal>().Select(part => part.Text))
        : throw new InvalidOperationException("The text holds Helm actions.");

    /// <summary>
    /// As a YAML scalar: one action alone is piped to <c>quote</c> (any value stays a string); a mix is a
    /// double-quoted string with the actions in it, so values put in it must not hold quotes (secrets are
    /// letters and digits).
    /// </summary>
    public string ToYamlScalar()
    {
        if (Parts is [Action only])
        {
            return $"{{{{ {only.Pipeline} | quote }}}}";
        }
        var body = string.Concat(Parts.Select(part => part switch
        {
            Literal literal => JsonSerializer.Serialize(literal.Text, Escaping)[1..^1],
            Action action => $"{{{{ {action.Pipeline} }}}}",
            _ => throw new ArgumentOutOfRangeException(nameof(part)),
        }));
        return $"\"{body}\"";
    }
}
