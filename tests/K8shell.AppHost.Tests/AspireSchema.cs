using System.Text.Json.Nodes;
using K8shell.Testing;

namespace K8shell.AppHost.Tests;

/// <summary>
/// Checks a manifest against Aspire's schema (Schema/aspire-manifest.schema.json, provenance in its NOTICE) with
/// Debian's python3-jsonschema, the reference validator (scripts/prereqs.sh; checked on real Aspire manifests). The .NET ones the registry serves cannot: JsonSchema.Net lacks its JsonPointer.Net dependency there,
/// and NJsonSchema cannot read the schema's boolean subschemas (<c>"build": false</c>).
/// </summary>
internal static class AspireSchema
{
    private const string Validate = """
        import json, sys, jsonschema
        schema, manifest = (json.load(open(path)) for path in sys.argv[1:3])
        for error in jsonschema.Draft7Validator(schema).iter_errors(manifest):
            print("/".join(map(str, error.absolute_path)) + ": " + error.message)
        """;

    public static string SchemaPath => Path.Combine(RepositoryPaths.Root, "tests", "K8shell.AppHost.Tests", "Schema", "aspire-manifest.schema.json");

    /// <summary>One line per violation, each "path: message"; none when the manifest is valid.</summary>
    public static async Task<IReadOnlyList<string>> ErrorsAsync(JsonObject manifest, CancellationToken cancellationToken)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, manifest.ToJsonString(), cancellationToken);
            await using var python = ChildProcess.Start("jsonschema", "/usr/bin/python3", ["-c", Validate, SchemaPath, file]);
            Assert.True(await python.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, $"the schema check itself failed:\n{python.Output}");
            return python.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
