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
        using var reader = new StreamReader(path);
        var parser = new Parser(reader);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException malformed)
        {
            throw new FormatException($"{path}:{malformed.Start.Line}: not valid YAML: {malformed.Message}");
        }
        catch (Exception broken) when (broken is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet fails this way on some malformed input instead of with a YamlException (found by fuzzing the
            // policy file): a flow sequence left open over lines ("[a-[b, c]"), an indented ": key" on the first line.
            // The last event it read is where it gave up.
            throw new FormatException($"{path}:{parser.Current?.Start.Line ?? 1}: not valid YAML near this line: {broken.Message}");
        }
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }
}
