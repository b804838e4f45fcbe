namespace K8shell.Identity.Users;

/// <summary>A user as a provider knows them (reference §3.4 fields), before any caching or lockout state.</summary>
public sealed record UserRecord
{
    public required string Username { get; init; }
    public bool IsValid { get; init; } = true;
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public string Fullname { get; init; } = "";
    public string Email { get; init; } = "";
    public bool Locked { get; init; }
    public IReadOnlyList<string> Blueprints { get; init; } = [];
    public bool Sudo { get; init; }
    public string Shell { get; init; } = "";
    /// <summary>Methods the user may log in with ("publickey", "password"), as configured.</summary>
    public IReadOnlyList<string> Auths { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = [];
    public string Organization { get; init; } = "";
    public IReadOnlyList<AuthorizedKey> AuthorizedKeys { get; init; } = [];
    /// <summary>A bcrypt hash; never leaves Identity.</summary>
    public string? PasswordHash { get; init; }
    public required string Source { get; init; }
    /// <summary>The provider's own id for the user (remote providers), which survives renames there.</summary>
    public string ExternalId { get; init; } = "";

    /// <summary>The methods the user can actually use: configured ones that have credentials behind them.</summary>
    public IEnumerable<string> AuthMethods =>
        Auths.Where(method => method switch
        {
            "publickey" => AuthorizedKeys.Count > 0,
            "password" => PasswordHash is { Length: > 0 },
            _ => false,
        });
}
