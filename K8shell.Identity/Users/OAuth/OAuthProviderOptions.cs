namespace K8shell.Identity.Users.OAuth;

/// <summary>
/// One OAuth provider (section <c>Identity:OAuth:Providers:&lt;name&gt;</c>; the user's source becomes
/// <c>idp.k8shell.io/&lt;name&gt;</c>). A <see cref="Preset"/> (github, gitlab) fills in the endpoints from
/// <see cref="Address"/>/<see cref="ApiAddress"/>; any endpoint may be given instead or as well.
/// Endpoints with <c>{id}</c> and <c>{login}</c> are filled in per user.
/// </summary>
public sealed class OAuthProviderOptions
{
    public const string Section = "Identity:OAuth:Providers";

    /// <summary>github, gitlab, or empty when every endpoint is configured.</summary>
    public string Preset { get; set; } = "";

    public string ClientId { get; set; } = "";

    /// <summary>Only for providers that demand it in the device grant; GitHub and GitLab do not.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The provider's web address (GitHub: https://github.com; GitLab: the instance, https://gitlab.com).</summary>
    public string? Address { get; set; }

    /// <summary>GitHub's API address (https://api.github.com); GitLab serves its API under <see cref="Address"/>.</summary>
    public string? ApiAddress { get; set; }

    /// <summary>RFC 8628 device authorization endpoint.</summary>
    public string? DeviceAuthorizationUrl { get; set; }

    public string? TokenUrl { get; set; }

    /// <summary>The signed-in user's profile (with the access token).</summary>
    public string? UserUrl { get; set; }

    /// <summary>The signed-in user's email addresses, when the profile lacks them (GitHub).</summary>
    public string? EmailsUrl { get; set; }

    /// <summary>A user's public profile by id, to refresh cached users.</summary>
    public string? UserByIdUrl { get; set; }

    /// <summary>A user's public SSH keys.</summary>
    public string? KeysUrl { get; set; }

    /// <summary>Space-separated OAuth scopes.</summary>
    public string? Scopes { get; set; }

    /// <summary>The profile field with the login name (GitHub: login, GitLab: username).</summary>
    public string? LoginField { get; set; }

    /// <summary>A token for refreshing users, when the provider limits anonymous API calls.</summary>
    public string? ServiceToken { get; set; }

    /// <summary>
    /// A repository's <c>.k8shell.yaml</c>, raw: <c>{owner}</c>, <c>{name}</c>, <c>{project}</c> (owner/name escaped as one
    /// path segment, GitLab's project id) and <c>{ref}</c> are filled in; a query parameter left empty is dropped.
    /// </summary>
    public string? RepositoryFileUrl { get; set; }

    /// <summary>A repository's address (<c>{owner}</c>, <c>{name}</c>), reported with its blueprint.</summary>
    public string? RepositoryUrl { get; set; }

    /// <summary>The ref to read when the user string names none (GitLab: HEAD; GitHub: none, meaning the default branch).</summary>
    public string? RepositoryDefaultRef { get; set; }

    /// <summary>
    /// A token to read repositories with. Without one they are read anonymously: public repositories only, at
    /// the provider's anonymous rate. Any user can have read through it whatever it can read: scope it accordingly.
    /// </summary>
    public string? RepositoryToken { get; set; }

    /// <summary>Only these logins may onboard; empty admits everyone the provider knows.</summary>
    public List<string> AllowedUsers { get; set; } = [];

    // What a user of this provider gets (reference §3.3 defaults when not configured).
    public string? Organization { get; set; }
    public List<string>? Roles { get; set; }
    public List<string>? Blueprints { get; set; }
    public string Shell { get; set; } = "/bin/bash";
    public bool Sudo { get; set; } = true;

    /// <summary>How long a call to the provider may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a cached user is served before it is refreshed from the provider.</summary>
    public TimeSpan UserMaxAge { get; set; } = TimeSpan.FromHours(1);
}
