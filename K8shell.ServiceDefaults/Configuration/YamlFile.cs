using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K8shell.ServiceDefaults.Configuration;

/// <summary>
/// A YAML configuration file read the one way every such file is (user files, blueprints, policy rules): a
/// syntax error is a FormatException that names the file and line, so the operator knows where to look.
/// </summary>
public static class YamlFile
{
    /// <summary>The first document's root node, or null when the file has no document (empty, or only comments).</summary>
    public static YamlNode? Root(string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException malformed)
        {
            throw new FormatException($"{path}:{malformed.Start.Line}: not valid YAML: {malformed.Message}");
        }
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }
}
