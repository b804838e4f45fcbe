using YamlDotNet.RepresentationModel;

namespace K8shell.ServiceDefaults.Configuration;

/// <summary>
/// The configuration files shaped <c>key: [item, item, …]</c> (user files, blueprint files): the items,
/// or a FormatException that names the file and line. An empty file has no items.
/// </summary>
public static class YamlListFile
{
    public static IReadOnlyList<YamlNode> Load(string path, string key)
    {
        var root = YamlFile.Root(path);
        if (root is null)
        {
            return [];
        }
        if (root is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var list))
        {
            throw new FormatException($"{path}: expected a mapping with \"{key}:\"");
        }
        return list is YamlSequenceNode items
            ? [.. items.Children]
            : throw new FormatException($"{path}:{list.Start.Line}: {key}: expected a list");
    }
}
