using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy and test, addressed by JSON pointers.</summary>
internal static class JsonPatch
{
    /// <summary>Applies every operation in order to <paramref name="document"/> (a clone, changed in place).</summary>
    public static JsonObject Apply(JsonObject document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiException.BadRequest("a JSON patch must be an array of operations");
        }
        foreach (var operation in operations)
        {
            var op = operation.Text("op");
            var path = operation.Text("path") ?? throw Failed("an operation without \"path\"");
            switch (op)
            {
                case "add":
                    Add(document, path, Value(operation));
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Remove(document, path);
                    Add(document, path, Value(operation));
                    break;
                case "move":
                    var moved = Remove(document, From(operation));
                    Add(document, path, moved);
                    break;
                case "copy":
                    Add(document, path, Find(document, From(operation))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Find(document, path), operation!["value"]))
                    {
                        throw Failed($"test failed at \"{path}\"");
                    }
                    break;
                default:
                    throw Failed($"unknown operation \"{op}\"");
            }
        }
        return document;
    }

    private static JsonNode? Value(JsonNode? operation) =>
        operation is JsonObject obj && obj.TryGetPropertyValue("value", out var value)
            ? value?.DeepClone()
            : throw Failed("an operation without \"value\"");

    private static string From(JsonNode? operation) => operation.Text("from") ?? throw Failed("an operation without \"from\"");

    private static void Add(JsonObject document, string path, JsonNode? value)
    {
        var (parent, last) = Parent(document, path);
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(last, out var index) && index >= 0 && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw Failed($"cannot add at \"{path}\"");
        }
    }

    private static JsonNode? Remove(JsonObject document, string path)
    {
        var (parent, last) = Parent(document, path);
        switch (parent)
        {
            case JsonObject obj when obj.TryGetPropertyValue(last, out var removed):
                obj.Remove(last);
                return removed;
            case JsonArray array when int.TryParse(last, out var index) && index >= 0 && index < array.Count:
                var item = array[index];
                array.RemoveAt(index);
                return item;
            default:
                throw Failed($"nothing to remove at \"{path}\"");
        }
    }

    private static JsonNode? Find(JsonObject document, string path) => Walk(document, Tokens(path));

    private static JsonNode? Walk(JsonObject document, IEnumerable<string> tokens)
    {
        JsonNode? node = document;
        foreach (var token in tokens)
        {
            node = node switch
            {
                JsonObject obj => obj[token],
                JsonArray array when int.TryParse(token, out var index) && index >= 0 && index < array.Count => array[index],
                _ => null,
            };
        }
        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonObject document, string path)
    {
        var tokens = Tokens(path);
        if (tokens.Length == 0)
        {
            throw Failed("the whole document cannot be replaced");
        }
        var parent = Walk(document, tokens[..^1]);
        return (parent ?? throw Failed($"no parent for \"{path}\""), tokens[^1]);
    }

    private static string[] Tokens(string path) => path.Length == 0
        ? []
        : path.Split('/').Skip(1).Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();

    private static ApiException Failed(string problem) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: {problem}");
}
