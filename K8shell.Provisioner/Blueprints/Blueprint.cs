namespace K8shell.Provisioner.Blueprints;

/// <summary>A blueprint after inheritance: what a workspace is made from (reference §7.4 fields).</summary>
public sealed record Blueprint
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public bool IsTemplate { get; init; }
    /// <summary>The parent, empty for roots.</summary>
    public string Template { get; init; } = "";
    public string Splash { get; init; } = "";
    /// <summary>Required for concrete blueprints.</summary>
    public string Image { get; init; } = "";
    public string ImagePullPolicy { get; init; } = "IfNotPresent";
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public ResourceLimits Resources { get; init; } = new("500m", "512Mi");
    public IReadOnlyDictionary<string, Storage> Storages { get; init; } = new Dictionary<string, Storage>();
    /// <summary>Run once, in order, parents' first.</summary>
    public IReadOnlyList<InitScript> InitScripts { get; init; } = [];
    public NetworkSettings Network { get; init; } = new("workspace", []);
    public SecuritySettings SecurityContext { get; init; } = new();
    /// <summary>Absolute path in the workspace → content.</summary>
    public IReadOnlyDictionary<string, string> ExtFiles { get; init; } = new Dictionary<string, string>();
    /// <summary>The file that defined this blueprint (not its parents), for messages.</summary>
    public string File { get; init; } = "";
}

/// <summary>Limits of the workspace container; requests are fixed (0.1 CPU, 128Mi).</summary>
public sealed record ResourceLimits(string Cpu, string Memory);

/// <summary>A volume: local (a PVC per workspace), shared (a PVC shared by name), emptyDir or memory.</summary>
public sealed record Storage(string Type, string Path, bool Enabled = true, bool ReadOnly = false, string? SizeLimit = null, string? Id = null,
    string? ExistingClaim = null);

public sealed record InitScript(string Name, string Script);

/// <summary>Network policy class (workspace, system, isolated, user, organization) and extra egress.</summary>
public sealed record NetworkSettings(string PolicyClass, IReadOnlyList<string> AllowEgressToCidrs);

/// <summary>The parts of a Kubernetes SecurityContext a blueprint may set, already validated.</summary>
public sealed record SecuritySettings(long? RunAsUser = null, long? RunAsGroup = null, bool? Privileged = null,
    IReadOnlyList<string>? AddCapabilities = null, IReadOnlyList<string>? DropCapabilities = null);
