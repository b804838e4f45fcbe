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
    string Organization)
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
            options.Organization ?? preset?.Organization ?? name);
    }

    private static OAuthEndpoints GitHub(string web, string api) => new(
        $"{web}/login/device/code", $"{web}/login/oauth/access_token", $"{api}/user", $"{api}/user/emails",
        $"{api}/user/{{id}}", $"{api}/users/{{login}}/keys", "read:user user:email", "login", "github");

    private static OAuthEndpoints GitLab(string address) => new(
        $"{address}/oauth/authorize_device", $"{address}/oauth/token", $"{address}/api/v4/user", null,
        $"{address}/api/v4/users/{{id}}", $"{address}/api/v4/users/{{id}}/keys", "read_user", "username", "gitlab");

    private static string? Trim(string? address) => address?.TrimEnd('/');
}
