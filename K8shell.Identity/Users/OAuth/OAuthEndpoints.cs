namespace K8shell.Identity.Users.OAuth;

/// <summary>A provider's endpoints and user defaults, its preset applied and every required value checked.</summary>
public sealed record OAuthEndpoints(
    string DeviceAuthorization,
    string Token,
    string User,
    string? Emails,
    string UserById,
    string Keys,
    string Scopes,
    string LoginField,
    string Organization,
    RepositoryEndpoints? Repositories)
{
    /// <summary>Resolves <paramref name="options"/>; an InvalidOperationException names the missing or wrong key.</summary>
    public static OAuthEndpoints Resolve(string name, OAuthProviderOptions options)
    {
        var key = $"{OAuthProviderOptions.Section}:{name}";
        if (options.ClientId.Length == 0)
        {
            throw new InvalidOperationException($"{key}:ClientId is required (the OAuth application's client id)");
        }
        var preset = options.Preset.ToLowerInvariant() switch
        {
            "github" => GitHub(Trim(options.Address) ?? "https://github.com", Trim(options.ApiAddress) ?? "https://api.github.com"),
            "gitlab" => GitLab(Trim(options.Address) ?? "https://gitlab.com"),
            "" => null,
            var other => throw new InvalidOperationException($"{key}:Preset: unknown preset \"{other}\" (github, gitlab, or none with every endpoint set)"),
        };
        string Required(string? configured, string? preset, string field) =>
            configured ?? preset ?? throw new InvalidOperationException($"{key}:{field} is required without a preset");
        return new OAuthEndpoints(
            Required(options.DeviceAuthorizationUrl, preset?.DeviceAuthorization, nameof(options.DeviceAuthorizationUrl)),
            Required(options.TokenUrl, preset?.Token, nameof(options.TokenUrl)),
            Required(options.UserUrl, preset?.User, nameof(options.UserUrl)),
            options.EmailsUrl ?? preset?.Emails,
            Required(options.UserByIdUrl, preset?.UserById, nameof(options.UserByIdUrl)),
            Required(options.KeysUrl, preset?.Keys, nameof(options.KeysUrl)),
            options.Scopes ?? preset?.Scopes ?? "",
            options.LoginField ?? preset?.LoginField ?? "login",
            options.Organization ?? preset?.Organization ?? name,
            RepositoriesOf(key, options, preset?.Repositories));
    }

    /// <summary>How to read repositories, or null when the provider has no file endpoint: its users get no repository blueprints.</summary>
    private static RepositoryEndpoints? RepositoriesOf(string key, OAuthProviderOptions options, RepositoryEndpoints? preset)
    {
        if ((options.RepositoryFileUrl ?? preset?.File) is not { } file)
        {
            return null;
        }
        var address = options.RepositoryUrl ?? preset?.Address
            ?? throw new InvalidOperationException($"{key}:{nameof(options.RepositoryUrl)} is required with {nameof(options.RepositoryFileUrl)} and no preset");
        return new RepositoryEndpoints(file, address, options.RepositoryDefaultRef ?? preset?.DefaultRef ?? "", preset?.Accept ?? "*/*");
    }

    // GitHub answers the file itself only when asked for its raw media type (JSON with base64 otherwise); without
    // a ref it reads the default branch.
    private static OAuthEndpoints GitHub(string web, string api) => new(
        $"{web}/login/device/code", $"{web}/login/oauth/access_token", $"{api}/user", $"{api}/user/emails",
        $"{api}/user/{{id}}", $"{api}/users/{{login}}/keys", "read:user user:email", "login", "github",
        new RepositoryEndpoints($"{api}/repos/{{owner}}/{{name}}/contents/.k8shell.yaml?ref={{ref}}", $"{web}/{{owner}}/{{name}}", "",
            "application/vnd.github.raw"));

    // GitLab's raw file endpoint takes HEAD for the default branch.
    private static OAuthEndpoints GitLab(string address) => new(
        $"{address}/oauth/authorize_device", $"{address}/oauth/token", $"{address}/api/v4/user", null,
        $"{address}/api/v4/users/{{id}}", $"{address}/api/v4/users/{{id}}/keys", "read_user", "username", "gitlab",
        new RepositoryEndpoints($"{address}/api/v4/projects/{{project}}/repository/files/.k8shell.yaml/raw?ref={{ref}}", $"{address}/{{owner}}/{{name}}",
            "HEAD", "*/*"));

    private static string? Trim(string? address) => address?.TrimEnd('/');
}

/// <summary>Where a provider serves a repository's <c>.k8shell.yaml</c> and the repository itself (URL templates), and how to ask.</summary>
public sealed record RepositoryEndpoints(string File, string Address, string DefaultRef, string Accept);
