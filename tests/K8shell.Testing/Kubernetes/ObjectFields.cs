using System.Globalization;
using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>Reading and writing the fields every Kubernetes object shares, on plain JSON.</summary>
internal static class ObjectFields
{
    public static JsonObject Metadata(this JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }
        var created = new JsonObject();
        obj["metadata"] = created;
        return created;
    }

    /// <summary>The object at <paramref name="key"/>, created empty when missing (for building status).</summary>
    public static JsonObject Child(this JsonObject obj, string key)
    {
        if (obj[key] is JsonObject child)
        {
            return child;
        }
        var created = new JsonObject();
        obj[key] = created;
        return created;
    }

    public static string? Name(this JsonObject obj) => obj.Text("metadata", "name");

    public static string? Namespace(this JsonObject obj) => obj.Text("metadata", "namespace");

    public static string? Uid(this JsonObject obj) => obj.Text("metadata", "uid");

    public static string? ResourceVersion(this JsonObject obj) => obj.Text("metadata", "resourceVersion");

    public static bool IsTerminating(this JsonObject obj) => obj.Text("metadata", "deletionTimestamp") is not null;

    public static JsonObject? Labels(this JsonObject obj) => obj["metadata"]?["labels"] as JsonObject;

    /// <summary>A string (or number/bool rendered as text) at a path of keys, or null.</summary>
    public static string? Text(this JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var key in path)
        {
            node = node is JsonObject obj ? obj[key] : null;
        }
        return node is JsonValue value ? value.ToString() : null;
    }

    /// <summary>A whole number at a path of keys, however it was stored (parsed JSON, int or long), or null.</summary>
    public static long? Number(this JsonNode? node, params ReadOnlySpan<string> path) =>
        long.TryParse(node.Text(path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>Time as the API writes it: RFC 3339 in UTC, whole seconds.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Now() => Timestamp(DateTimeOffset.UtcNow);


    /// <summary>Whether anything outside metadata and status changed: what bumps <c>metadata.generation</c>.</summary>
    public static bool SpecChanged(JsonObject before, JsonObject after)
    {
        var keys = before.Select(p => p.Key).Concat(after.Select(p => p.Key))
            .Where(key => key is not ("metadata" or "status" or "kind" or "apiVersion"))
            .Distinct();
        return keys.Any(key => !JsonNode.DeepEquals(before[key], after[key]));
    }
}
