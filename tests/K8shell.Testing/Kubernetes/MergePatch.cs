using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// JSON merge patch (RFC 7386): objects merge key by key, <c>null</c> removes, anything else replaces.
/// The emulator also applies strategic merge patches and server-side apply this way (see the README):
/// lists are replaced whole, never merged by key.
/// </summary>
internal static class MergePatch
{
    /// <summary>The patched document; <paramref name="target"/> must be detached (a clone), it is reused.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
                continue;
            }
            var existing = result[key];
            result.Remove(key);
            result[key] = Apply(existing, value);
        }
        return result;
    }
}
