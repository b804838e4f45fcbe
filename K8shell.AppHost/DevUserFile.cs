using System.Text.Encodings.Web;
using System.Text.Json;

namespace K8shell.AppHost;

/// <summary>
/// The Identity user file (reference §3.4) that makes the person running the stack a user of it: their login name,
/// their keys, sudo and every blueprint, as a developer has on their own machine.
/// </summary>
public static class DevUserFile
{
    /// <summary>Uid and gid for a user whose own are not valid workspace ids (root's 0): the chart's default (reference §3.4).</summary>
    public const uint FallbackId = 1001;

    private static readonly JsonSerializerOptions YamlScalar = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The file's text; values are written as double-quoted scalars (JSON strings, which YAML reads the same).</summary>
    public static string Write(string username, uint uid, uint gid, IReadOnlyList<string> keys)
    {
        string Quoted(string value) => JsonSerializer.Serialize(value, YamlScalar);
        var lines = new List<string>
        {
            "# Written by the K8shell AppHost for this run: you, with the keys in ~/.ssh (SPEC.md §11). Rewritten at every start.",
            "users:",
            $"  - username: {Quoted(username)}",
            $"    uid: {(uid > 0 ? uid : FallbackId)}",
            $"    gid: {(gid > 0 ? gid : FallbackId)}",
            "    sudo: true",
            "    blueprints: [\"*\"]",
            keys.Count == 0 ? "    authKeys: []" : "    authKeys:",
        };
        lines.AddRange(keys.Select(key => $"      - {Quoted(key)}"));
        return string.Join('\n', lines) + "\n";
    }
}
