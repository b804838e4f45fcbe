using System.Text.Json.Nodes;

namespace K8shell.AppHost.Tests;

/// <summary>The chart <c>--publisher kubernetes</c> wrote, read back and rendered as an install would render it.</summary>
internal sealed class PublishedChart(string folder, IReadOnlyDictionary<string, string> files)
{
    public const string ReleaseName = "k8shell-test";
    public const string ReleaseNamespace = "k8shell-system";

    public string Folder { get; } = folder;

    /// <summary>Every file of the chart by its path in the chart, with '/' separators.</summary>
    public IReadOnlyDictionary<string, string> Files { get; } = files;

    public IEnumerable<string> Templates => Files.Keys.Where(path => path.StartsWith("templates/", StringComparison.Ordinal));

    public JsonObject Values => StrictKubernetesObject.Plain(Files["values.yaml"])!.AsObject();

    public static async Task<PublishedChart> PublishAsync(string folder, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using (var publish = AppHostProcess.Start(["--publisher", "kubernetes", "--output-path", folder], environment ?? new Dictionary<string, string?>()))
        {
            Assert.True(await publish.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, publish.Output);
        }
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(file => Path.GetRelativePath(folder, file).Replace('\\', '/'), File.ReadAllText);
        return new PublishedChart(folder, files);
    }

    /// <summary>Values as an operator gives them: values.yaml with every secret set to <c>secret-&lt;key&gt;</c>.</summary>
    public JsonObject InstallValues()
    {
        var values = Values;
        foreach (var key in values["secrets"]!.AsObject().Select(secret => secret.Key).ToList())
        {
            values["secrets"]![key] = $"secret{key.Replace("_", "")}";
        }
        return values;
    }

    public string Render(string template, JsonObject values) =>
        HelmTemplate.Render(Files[template], values, ReleaseName, ReleaseNamespace);

    /// <summary>Every template rendered with <see cref="InstallValues"/> and read strictly, by path.</summary>
    public Dictionary<string, object> Objects()
    {
        var values = InstallValues();
        return Templates.ToDictionary(path => path, path => StrictKubernetesObject.Parse(Render(path, values)));
    }

    public T Object<T>(string template) => Assert.IsType<T>(Objects()[template]);
}
