using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K8shell.Provisioner.Blueprints;

/// <summary>
/// A repository's own blueprint: <c>blueprint:</c> in the <c>.k8shell.yaml</c> at its root (reference §7.4), checked
/// for the fields a repository may set and not yet put on its <see cref="Template"/> (<see cref="BlueprintSet.Compose"/>
/// does that, with every other check of a platform blueprint).
/// </summary>
public sealed record CustomBlueprint(string Template, string? Name, YamlMappingNode Node, string File)
{
    /// <summary>
    /// What a repository may set: reference §7.4's list less <c>showInitScriptStatus</c>, <c>enableApps</c> and <c>apps</c>,
    /// which our blueprints do not have. Never the security context, files, pull policy or template status: a repository
    /// must not widen what its workspace may do.
    /// </summary>
    public static readonly IReadOnlyCollection<string> Fields = ["template", "name", "splash", "image", "env", "network", "resources", "storages", "initScripts"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="content"/> strictly (unknown keys included), or a FormatException naming <paramref name="file"/>, the line and the field.</summary>
    public static CustomBlueprint Read(ReadOnlySpan<byte> content, string file)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(content).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException($"{file}: not UTF-8 text");
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException malformed)
        {
            throw new FormatException($"{file}:{malformed.Start.Line}: not valid YAML: {malformed.Message}");
        }
        if (stream.Documents.Count == 0)
        {
            throw new FormatException($"{file}: the file is empty");
        }
        if (stream.Documents.Count > 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new FormatException($"{file}: expected one mapping with \"blueprint:\"");
        }
        new Reader(root, file).OnlyKnown(root, "", ["blueprint"]);
        var blueprint = new Reader(root, file).Mapping("blueprint") ?? throw new FormatException($"{file}: expected a mapping with \"blueprint:\"");
        var reader = new Reader(blueprint, file);
        reader.OnlyKnown(blueprint, "", Fields);
        var template = reader.Text("template") is { Length: > 0 } named ? named
            : throw reader.Error(blueprint, "template", "required: the blueprint this one builds on");
        return new CustomBlueprint(template, reader.Text("name"), blueprint, file);
    }
}
