using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing;

/// <summary>
/// <c>--publisher manifest --output-path X</c>: the Aspire manifest azd deploys from. Only the types azd knows
/// (project.v0, container.v0, parameter.v0, value.v0); values are placeholders azd resolves
/// (<c>{identity.bindings.grpc.url}</c>, <c>{nats.connectionString}</c>, <c>{nats-password.value}</c>).
/// </summary>
internal static class ManifestPublisher
{
    public const string SchemaUrl = "https://json.schemastore.org/aspire-8.0.json";
    public const string DefaultFileName = "aspire-manifest.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> PublishAsync(DistributedApplication app)
    {
        if (app.ExecutionContext.OutputPath is not { Length: > 0 } outputPath)
        {
            await Console.Error.WriteLineAsync("--publisher manifest needs --output-path (a .json file, or a folder for aspire-manifest.json).");
            return 2;
        }
        // A path ending in .json is the file; anything else is the folder it goes in, as Aspire's publisher has it.
        var file = Path.GetFullPath(outputPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? outputPath : Path.Combine(outputPath, DefaultFileName));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, Write(app, Path.GetDirectoryName(file)!).ToJsonString(Indented) + "\n");
        Console.WriteLine($"Wrote the Aspire manifest to {file}");
        return 0;
    }

    /// <summary>The manifest; relative paths are relative to <paramref name="manifestDirectory"/>.</summary>
    public static JsonObject Write(DistributedApplication app, string manifestDirectory)
    {
        var resources = new JsonObject();
        foreach (var resource in app.Resources)
        {
            if (ManifestResource.Write(resource, app.ExecutionContext, manifestDirectory) is { } written)
            {
                resources[resource.Name] = written;
            }
        }
        return new JsonObject { ["$schema"] = SchemaUrl, ["resources"] = resources };
    }
}
