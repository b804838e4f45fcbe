using System.Text.Json;

namespace K8shell.AppHost.Running;

/// <summary><c>endpoints.json</c> in the data directory: every resource's endpoints, for scripts and tools that want to reach them.</summary>
internal static class EndpointsFile
{
    public static async Task<string> WriteAsync(string dataDirectory, IReadOnlyList<LocalProcess> processes)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "endpoints.json");
        var endpoints = processes.ToDictionary(
            process => process.Name,
            process => process.Endpoints.ToDictionary(endpoint => endpoint.Key, endpoint => endpoint.Value.GetLeftPart(UriPartial.Authority)));
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(endpoints, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
