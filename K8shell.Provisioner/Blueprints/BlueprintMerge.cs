using YamlDotNet.RepresentationModel;

namespace K8shell.Provisioner.Blueprints;

/// <summary>
/// Inheritance at the YAML level (reference §7.4): the child's scalars win, mappings merge key by key,
/// sequences are the parent's items then the child's. <c>isTemplate</c> is never inherited: a concrete
/// blueprint made from a template is not itself a template.
/// </summary>
public static class BlueprintMerge
{
    public static YamlMappingNode Merge(YamlMappingNode parent, YamlMappingNode child)
    {
        var merged = (YamlMappingNode)MergeNodes(parent, child);
        if (!child.Children.ContainsKey(new YamlScalarNode("isTemplate")))
        {
            merged.Children.Remove(new YamlScalarNode("isTemplate"));
        }
        return merged;
    }

    private static YamlNode MergeNodes(YamlNode parent, YamlNode child) => (parent, child) switch
    {
        (YamlMappingNode parentMap, YamlMappingNode childMap) => MergeMappings(parentMap, childMap),
        (YamlSequenceNode parentList, YamlSequenceNode childList) => new YamlSequenceNode([.. parentList.Children, .. childList.Children]),
        _ => child,
    };

    private static YamlMappingNode MergeMappings(YamlMappingNode parent, YamlMappingNode child)
    {
        var merged = new YamlMappingNode();
        foreach (var (key, value) in parent.Children)
        {
            merged.Children[key] = child.Children.TryGetValue(key, out var own) ? MergeNodes(value, own) : value;
        }
        foreach (var (key, value) in child.Children.Where(pair => !parent.Children.ContainsKey(pair.Key)))
        {
            merged.Children[key] = value;
        }
        return merged;
    }
}
