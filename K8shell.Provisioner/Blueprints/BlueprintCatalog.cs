using K8shell.ServiceDefaults.Configuration;
using Microsoft.Extensions.Options;

namespace K8shell.Provisioner.Blueprints;

/// <summary>Section <c>Provisioner:Blueprints</c>.</summary>
public sealed class BlueprintOptions
{
    public const string Section = "Provisioner:Blueprints";

    /// <summary>The directory of blueprint files, relative to the content root (the samples ship in <c>blueprints/</c>).</summary>
    public string Directory { get; set; } = "blueprints";

    /// <summary>
    /// What repository user strings (<c>alice~repo=org%2Fproj</c>) get when the repository's own <c>.k8shell.yaml</c>
    /// cannot be used: none, unreadable, or invalid (reference §7.2: <c>blueprints.defaultCustomBlueprint</c>); none: they are refused.
    /// </summary>
    public string? DefaultCustom { get; set; }
}

/// <summary>
/// The platform blueprints, reloaded when their directory changes. A bad set stops the service at start;
/// later it keeps the last good set and logs the file, line and field that is wrong. Answers which
/// blueprints a user may provision: those in the user's <c>blueprints</c> list, <c>*</c> meaning all, never templates.
/// </summary>
public sealed class BlueprintCatalog : IDisposable
{
    private readonly ReloadedFiles<BlueprintSet> _set;

    public BlueprintCatalog(IOptions<BlueprintOptions> options, IHostEnvironment environment, ILogger<BlueprintCatalog> logger)
    {
        var directory = Path.GetFullPath(options.Value.Directory, environment.ContentRootPath);
        _set = new ReloadedFiles<BlueprintSet>([directory], () =>
        {
            var set = BlueprintSet.Load(directory);
            logger.LogInformation("Loaded blueprints {Names} from {Directory}", string.Join(", ", set.All.Select(blueprint => blueprint.Name)), directory);
            return set;
        }, "Blueprints", logger);
    }

    public IEnumerable<Blueprint> All => _set.Current.All;

    public Blueprint? Find(string name) => _set.Current.Find(name);

    /// <summary>Whether <paramref name="allowed"/> (the user's list) lets the user provision <paramref name="blueprint"/>.</summary>
    public static bool Entitles(IEnumerable<string> allowed, Blueprint blueprint) =>
        !blueprint.IsTemplate && EntitlesToBuildOn(allowed, blueprint);

    /// <summary>
    /// Whether a custom blueprint of the user may build on <paramref name="blueprint"/>: named in their list, or <c>*</c>.
    /// Templates included: they exist to be built on, and the custom layer makes the workspace concrete.
    /// </summary>
    public static bool EntitlesToBuildOn(IEnumerable<string> allowed, Blueprint blueprint) =>
        allowed.Any(name => name == "*" || name == blueprint.Name);

    /// <summary>A repository's blueprint on its template, as the current set has it (<see cref="BlueprintSet.Compose"/>).</summary>
    public Blueprint Compose(CustomBlueprint custom, string defaultName) => _set.Current.Compose(custom, defaultName);

    /// <summary>What the implicit user string (<c>alice</c>) means: the user's first allowed concrete blueprint by name.</summary>
    public Blueprint? DefaultFor(IReadOnlyCollection<string> allowed) => All.FirstOrDefault(blueprint => Entitles(allowed, blueprint));

    public void Dispose() => _set.Dispose();
}
