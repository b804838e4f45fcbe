using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// Writes a JSON tree as block YAML, the form chart templates are read in. Strings are always double-quoted
/// (a value such as <c>true</c> or <c>9020</c> stays a string); a <see cref="HelmText"/> value is written as its
/// template scalar. No YAML library: the AppHost restores no packages, and this subset is all a chart needs.
/// </summary>
internal static partial class YamlText
{
    private static readonly JsonSerializerOptions Escaping = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly HashSet<string> Ambiguous = new(StringComparer.OrdinalIgnoreCase) { "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~" };

    /// <summary>A template value for a JSON tree: its parts are written as Helm actions.</summary>
    public static JsonNode Text(HelmText text) => text.IsLiteral ? JsonValue.Create(text.LiteralText)! : JsonValue.Create(text)!;

    public static string Write(JsonNode node) => string.Join('\n', Lines(node)) + "\n";

    private static List<string> Lines(JsonNode node)
    {
        var lines = new List<string>();
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    if (IsBlock(value))
                    {
                        lines.Add($"{Key(key)}:");
                        lines.AddRange(Lines(value!).Select(line => "  " + line));
                    }
                    else
                    {
                        lines.Add($"{Key(key)}: {Scalar(value)}");
                    }
                }
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    if (IsBlock(item))
                    {
                        var inner = Lines(item!);
                        lines.Add("- " + inner[0]);
                        lines.AddRange(inner.Skip(1).Select(line => "  " + line));
                    }
                    else
                    {
                        lines.Add($"- {Scalar(item)}");
                    }
                }
                break;
            default:
                lines.Add(Scalar(node));
                break;
        }
        return lines;
    }

    private static bool IsBlock(JsonNode? node) => node is JsonObject { Count: > 0 } or JsonArray { Count: > 0 };

    private static string Key(string key) =>
        PlainKey().IsMatch(key) && !Ambiguous.Contains(key) ? key : JsonSerializer.Serialize(key, Escaping);

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue value when value.TryGetValue<HelmText>(out var text) => text.ToYamlScalar(),
        JsonValue value when value.TryGetValue<string>(out var text) => JsonSerializer.Serialize(text, Escaping),
        JsonValue value => value.ToJsonString(),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainKey();
}
