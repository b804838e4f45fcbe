using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K8shell.AppHost.Tests;

/// <summary>
/// Reads one rendered object as the API server would have to: KubernetesClient's strict YAML reading into
/// its typed model for the object's apiVersion and kind (an unknown field throws), then a round trip — the
/// typed object written back as JSON must equal the YAML read as plain data, so a field the model dropped or
/// a number where a string belongs (a ConfigMap value, say) is a difference too.
/// </summary>
internal static partial class StrictKubernetesObject
{
    public static object Parse(string yaml)
    {
        var objects = KubernetesYaml.LoadAllFromString(yaml, strict: true);
        Assert.Single(objects);
        var typed = objects[0];
        var expected = Plain(yaml);
        var roundTrip = JsonNode.Parse(KubernetesJson.Serialize(typed));
        Assert.True(JsonNode.DeepEquals(expected, roundTrip), $"the typed {typed.GetType().Name} differs from the YAML:\n{expected}\nvs\n{roundTrip}");
        return typed;
    }

    /// <summary>YAML as data by YAML 1.2's core schema: plain scalars may be numbers, booleans or null; quoted ones are strings.</summary>
    public static JsonNode? Plain(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Node(stream.Documents.Single().RootNode);
    }

    private static JsonNode? Node(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(entry => KeyValuePair.Create(((YamlScalarNode)entry.Key).Value!, Node(entry.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Node)]),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => scalar.Value switch
        {
            null or "" or "~" or "null" => null,
            "true" => true,
            "false" => false,
            var text when Integer().IsMatch(text) => long.Parse(text, CultureInfo.InvariantCulture),
            var text => text,
        },
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };

    [GeneratedRegex(@"^-?[0-9]+$")]
    private static partial Regex Integer();
}
