using K8shell.ServiceDefaults.Configuration;
using YamlDotNet.RepresentationModel;

namespace K8shell.Provisioner.Blueprints;

/// <summary>
/// The blueprints of a directory (<c>*.yaml</c>, <c>*.yml</c>; each file <c>blueprints: [...]</c>), every
/// one inherited and validated, or a FormatException for the first problem: a set is used whole or not at all.
/// </summary>
public sealed class BlueprintSet
{
    private readonly IReadOnlyDictionary<string, Blueprint> _blueprints;

    /// <summary>Each blueprint's mapping after inheritance: what a custom blueprint is merged onto. Never changed (merging makes new nodes).</summary>
    private readonly IReadOnlyDictionary<string, YamlMappingNode> _inherited;

    private BlueprintSet(IReadOnlyDictionary<string, Blueprint> blueprints, IReadOnlyDictionary<string, YamlMappingNode> inherited)
    {
        _blueprints = blueprints;
        _inherited = inherited;
        All = [.. blueprints.Values.OrderBy(blueprint => blueprint.Name, StringComparer.Ordinal)];
    }

    /// <summary>Every blueprint, templates included, by name.</summary>
    public IReadOnlyList<Blueprint> All { get; }

    public Blueprint? Find(string name) => _blueprints.GetValueOrDefault(name);

    /// <summary>
    /// A repository's blueprint on top of its template (the third layer: template → concrete → custom), merged and
    /// read by the same rules as the platform's: a FormatException names the file, line and field that cannot be used.
    /// Named by its own <c>name</c>, else <paramref name="defaultName"/>.
    /// </summary>
    public Blueprint Compose(CustomBlueprint custom, string defaultName) =>
        _inherited.TryGetValue(custom.Template, out var template)
            ? BlueprintReader.Read(BlueprintMerge.Merge(template, custom.Node), custom.File, concrete: true) with { Name = custom.Name ?? defaultName }
            : throw new FormatException($"{custom.File}:{custom.Node.Start.Line}: template: there is no blueprint {custom.Template}");

    public static BlueprintSet Load(string directory)
    {
        var raw = new Dictionary<string, (YamlMappingNode Node, Blueprint Own)>();
        var files = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory).Where(path => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : throw new FormatException($"{directory}: the blueprint directory does not exist");
        foreach (var file in files)
        {
            foreach (var node in Nodes(file))
            {
                // Each layer on its own first, so errors point at the file and line that has them.
                var own = BlueprintReader.Read(node, file, concrete: false);
                if (raw.TryGetValue(own.Name, out var earlier))
                {
                    throw new FormatException($"{file}:{node.Start.Line}: name: {own.Name} is defined in {earlier.Own.File} already");
                }
                raw[own.Name] = (node, own);
            }
        }
        var resolved = new Dictionary<string, YamlMappingNode>();
        YamlMappingNode Resolve(string name, List<string> chain)
        {
            if (resolved.TryGetValue(name, out var done))
            {
                return done;
            }
            var (node, own) = raw[name];
            if (own.Template.Length == 0)
            {
                return resolved[name] = node;
            }
            if (!raw.ContainsKey(own.Template))
            {
                throw new FormatException($"{own.File}:{node.Start.Line}: template: blueprint {name} inherits from {own.Template}, which does not exist");
            }
            if (chain.Contains(own.Template))
            {
                throw new FormatException($"{own.File}:{node.Start.Line}: template: the templates form a cycle ({string.Join(" → ", chain.Append(own.Template))})");
            }
            return resolved[name] = BlueprintMerge.Merge(Resolve(own.Template, [.. chain, own.Template]), node);
        }
        return new BlueprintSet(raw.ToDictionary(pair => pair.Key,
            pair => BlueprintReader.Read(Resolve(pair.Key, [pair.Key]), pair.Value.Own.File, concrete: true)), resolved);
    }

    private static IEnumerable<YamlMappingNode> Nodes(string file) =>
        YamlListFile.Load(file, "blueprints").Select(item => item as YamlMappingNode
            ?? throw new FormatException($"{file}:{item.Start.Line}: blueprints: expected a mapping per blueprint"));
}
