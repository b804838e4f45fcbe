using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace K8shell.Provisioner.Blueprints;

/// <summary>
/// Typed, strict access to the fields of one YAML mapping (a blueprint); every error names the file,
/// the line and the dotted field. Mappings made by inheritance have no line of their own: the
/// blueprint's line stands in.
/// </summary>
internal sealed partial class Reader(YamlMappingNode root, string file)
{
    public FormatException Error(YamlNode node, string field, string message) =>
        new($"{file}:{(node.Start.Line > 0 ? node.Start.Line : root.Start.Line)}: {field}: {message}");

    public void OnlyKnown(YamlMappingNode mapping, string prefix, IReadOnlyCollection<string> known)
    {
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } || !known.Contains(name))
            {
                throw Error(key, prefix + (key as YamlScalarNode)?.Value, $"unknown field (known: {string.Join(", ", known)})");
            }
        }
    }

    public string Scalar(YamlNode node, string field) =>
        node is YamlScalarNode { Tag.IsEmpty: true } scalar ? scalar.Value ?? "" : throw Error(node, field, "expected a single value");

    public string? Text(string field) => Text(root, field);

    public string? Text(YamlMappingNode mapping, string field) =>
        mapping.Children.TryGetValue(new YamlScalarNode(field), out var node) ? Scalar(node, field) : null;

    public bool? Flag(string field) => Flag(root, "", field);

    public bool? Flag(YamlMappingNode mapping, string prefix, string field) =>
        Text(mapping, field) is not { } value ? null
        : bool.TryParse(value, out var flag) ? flag
        : throw Error(mapping[field], prefix + field, "expected true or false");

    public string? OneOf(string field, string[] allowed) => OneOf(root, "", field, allowed);

    public string? OneOf(YamlMappingNode mapping, string prefix, string field, string[] allowed) =>
        Text(mapping, field) is not { } value ? null
        : allowed.Contains(value) ? value
        : throw Error(mapping[field], prefix + field, $"\"{value}\" is not one of {string.Join(", ", allowed)}");

    /// <summary>A Kubernetes quantity such as 500m, 4, 0.5, 512Mi or 1G.</summary>
    public string? Quantity(YamlMappingNode mapping, string prefix, string field) =>
        Text(mapping, field) is not { } value ? null
        : KubernetesQuantity().IsMatch(value) ? value
        : throw Error(mapping[field], prefix + field, $"\"{value}\" is not a quantity such as 500m, 2, 512Mi or 4Gi");

    public YamlMappingNode? Mapping(string field) =>
        !root.Children.TryGetValue(new YamlScalarNode(field), out var node) ? null
        : node as YamlMappingNode ?? throw Error(node, field, "expected a mapping");

    public IReadOnlyDictionary<string, T> Map<T>(string field, Func<string, YamlNode, T> read) =>
        Mapping(field) is not { } mapping ? new Dictionary<string, T>()
        : mapping.Children.Select(pair => (Key: Scalar(pair.Key, field), pair.Value)).ToDictionary(pair => pair.Key, pair => read(pair.Key, pair.Value));

    public IReadOnlyList<T> List<T>(string field, Func<YamlNode, T> read) =>
        root.Children.TryGetValue(new YamlScalarNode(field), out var node) ? Items(node, field, read) : [];

    public IReadOnlyList<T> Items<T>(YamlNode node, string field, Func<YamlNode, T> read) =>
        node is YamlSequenceNode list ? [.. list.Children.Select(read)] : throw Error(node, field, "expected a list");

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")]
    private static partial Regex KubernetesQuantity();
}
