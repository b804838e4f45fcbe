namespace K8shell.Provisioner.Tests;

/// <summary>A temporary blueprint directory the test writes files into.</summary>
public sealed class BlueprintFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("k8shell-blueprints-").FullName;

    /// <summary>The shipped samples (base, dev, ubuntu), as the Provisioner's build output has them.</summary>
    public static string Samples => Path.Combine(AppContext.BaseDirectory, "blueprints");

    public string Write(string name, string yaml)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
