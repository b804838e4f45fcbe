using System.Text.Json;

namespace K8shell.Identity.Users.OAuth;

/// <summary>The provider refused a request for a reason a person must fix (configuration, a disabled grant).</summary>
public sealed class ProviderRefusedException(string message) : Exception(message);

/// <summary>RFC 8628 §3.2: what the person at the terminal needs, and how Identity polls for the result.</summary>
public sealed record DeviceAuthorization(string DeviceCode, string UserCode, string VerificationUri, string VerificationUriComplete, TimeSpan ExpiresIn, TimeSpan Interval);

public enum TokenPollOutcome { Granted, Pending, SlowDown, Denied, Expired }

public sealed record TokenPoll(TokenPollOutcome Outcome, string? AccessToken = null);

/// <summary>
/// An OAuth provider (GitHub, GitLab, or any server by its endpoints) as a source of users: the device
/// grant that onboards them, the profile that becomes their record (uid = gid = 100000 + the provider's
/// id, keys from its public keys endpoint, defaults of reference §3.3), refreshes by id, and its users'
/// repositories (<see cref="Repositories"/>). Access tokens are used once, to read the profile, and never kept.
/// </summary>
public sealed class OAuthProvider(string name, OAuthProviderOptions options, OAuthEndpoints endpoints, HttpClient http)
{
    public const string SourcePrefix = "idp.k8shell.io/";

    /// <summary>First uid and gid of provider users, far from local accounts.</summary>
    private const long IdBase = 100_000;

    private readonly OAuthHttp _http = new(SourcePrefix + name, http, options.Timeout);

    /// <summary>The user's source, e.g. idp.k8shell.io/github.</summary>
    public string Name { get; } = SourcePrefix + name;

    public TimeSpan UserMaxAge => options.UserMaxAge;

    /// <summary>Its users' repositories, where their custom blueprints are; null when the provider has no file endpoint.</summary>
    public RepositoryFiles? Repositories { get; } = endpoints.Repositories is { } repositories
        ? new RepositoryFiles(SourcePrefix + name, repositories, options.RepositoryToken, new OAuthHttp(SourcePrefix + name, http, options.Timeout))
        : null;

    /// <summary>Whether the access rules let <paramref name="login"/> be a user.</summary>
    public bool Admits(string login) =>
        options.AllowedUsers.Count == 0 || options.AllowedUsers.Contains(login, StringComparer.OrdinalIgnoreCase);

    public async Task<DeviceAuthorization> StartDeviceFlowAsync(CancellationToken cancellationToken)
    {
        var answer = await _http.PostFormAsync(endpoints.DeviceAuthorization, Form(("client_id", options.ClientId), ("scope", endpoints.Scopes)), cancellationToken);
        if (Text(answer, "error") is { } error)
        {
            throw new ProviderRefusedException($"{Name} refused to start a device flow: {error} {Text(answer, "error_description")}".TrimEnd());
        }
        var verification = Text(answer, "verification_uri") ?? Text(answer, "verification_url");
        if (Text(answer, "device_code") is not { } deviceCode || Text(answer, "user_code") is not { } userCode || verification is null)
        {
            throw new ProviderUnavailableException($"{Name}: the device authorization answer lacks device_code, user_code or verification_uri");
        }
        return new DeviceAuthorization(deviceCode, userCode, verification, Text(answer, "verification_uri_complete") ?? "",
            TimeSpan.FromSeconds(Number(answer, "expires_in") ?? 900), TimeSpan.FromSeconds(Number(answer, "interval") ?? 5));
    }

    /// <summary>Asks the token endpoint once whether the person has authorised the device.</summary>
    public async Task<TokenPoll> PollAsync(string deviceCode, CancellationToken cancellationToken)
    {
        var form = Form(("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("device_code", deviceCode), ("client_id", options.ClientId));
        if (options.ClientSecret is { Length: > 0 } secret)
        {
            form.Add(new("client_secret", secret));
        }
        var answer = await _http.PostFormAsync(endpoints.Token, form, cancellationToken);
        if (Text(answer, "access_token") is { } token)
        {
            return new TokenPoll(TokenPollOutcome.Granted, token);
        }
        return Text(answer, "error") switch
        {
            "authorization_pending" => new TokenPoll(TokenPollOutcome.Pending),
            "slow_down" => new TokenPoll(TokenPollOutcome.SlowDown),
            "access_denied" => new TokenPoll(TokenPollOutcome.Denied),
            "expired_token" => new TokenPoll(TokenPollOutcome.Expired),
            var error => throw new ProviderRefusedException(
                $"{Name} refused the device code: {error ?? "no access_token and no error"} {Text(answer, "error_description")}".TrimEnd()),
        };
    }

    /// <summary>The user the access token belongs to, as a record.</summary>
    public async Task<UserRecord> SignedInUserAsync(string accessToken, CancellationToken cancellationToken)
    {
        var profile = await _http.GetAsync(endpoints.User, accessToken, cancellationToken)
            ?? throw new ProviderUnavailableException($"{Name}: the user endpoint does not know the signed-in user");
        var email = Text(profile, "email") ?? await PrimaryEmailAsync(accessToken, cancellationToken) ?? "";
        return await ToRecordAsync(profile, email, cancellationToken);
    }

    /// <summary>The user as the provider knows them now; null when it no longer does or no longer admits them.</summary>
    public async Task<UserRecord?> RefreshAsync(UserRecord cached, CancellationToken cancellationToken)
    {
        var profile = await _http.GetAsync(endpoints.UserById.Replace("{id}", Uri.EscapeDataString(cached.ExternalId)), options.ServiceToken, cancellationToken);
        if (profile is null)
        {
            return null;
        }
        // Public profiles often hide the address; the one given at onboarding stays then.
        var user = await ToRecordAsync(profile.Value, Text(profile.Value, "email") ?? cached.Email, cancellationToken);
        return Admits(user.Username) ? user : null;
    }

    private async Task<UserRecord> ToRecordAsync(JsonElement profile, string email, CancellationToken cancellationToken)
    {
        var login = Text(profile, endpoints.LoginField) ?? throw new ProviderUnavailableException($"{Name}: the profile has no {endpoints.LoginField}");
        var id = Number(profile, "id") is { } number && number is >= 0 and <= uint.MaxValue - IdBase
            ? number
            : throw new ProviderUnavailableException($"{Name}: the profile of {login} has no numeric id");
        var keys = await _http.GetAsync(endpoints.Keys.Replace("{id}", id.ToString()).Replace("{login}", Uri.EscapeDataString(login)), options.ServiceToken, cancellationToken);
        return new UserRecord
        {
            Username = login.ToLowerInvariant(),
            ExternalId = id.ToString(),
            Uid = (uint)(IdBase + id),
            Gid = (uint)(IdBase + id),
            Fullname = Text(profile, "name") ?? login,
            Email = email,
            Organization = endpoints.Organization,
            Roles = options.Roles ?? ["workspace-user"],
            Blueprints = options.Blueprints ?? ["*"],
            Shell = options.Shell,
            Sudo = options.Sudo,
            Auths = ["publickey"],
            AuthorizedKeys = keys is { ValueKind: JsonValueKind.Array } list ? [.. list.EnumerateArray().Select(key => ParseKey(Text(key, "key"))).OfType<AuthorizedKey>()] : [],
            Source = Name,
        };
    }

    private async Task<string?> PrimaryEmailAsync(string accessToken, CancellationToken cancellationToken)
    {
        if (endpoints.Emails is null || await _http.GetAsync(endpoints.Emails, accessToken, cancellationToken) is not { ValueKind: JsonValueKind.Array } emails)
        {
            return null;
        }
        return emails.EnumerateArray()
            .Where(email => email.TryGetProperty("verified", out var verified) && verified.ValueKind == JsonValueKind.True)
            .OrderByDescending(email => email.TryGetProperty("primary", out var primary) && primary.ValueKind == JsonValueKind.True)
            .Select(email => Text(email, "email"))
            .FirstOrDefault();
    }

    /// <summary>Keys of types we do not accept are left out rather than failing the whole user.</summary>
    private static AuthorizedKey? ParseKey(string? line)
    {
        try
        {
            return line is null ? null : AuthorizedKey.Parse(line);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static List<KeyValuePair<string, string>> Form(params (string Name, string Value)[] fields) =>
        [.. fields.Select(field => KeyValuePair.Create(field.Name, field.Value))];

    private static string? Text(JsonElement json, string property) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static long? Number(JsonElement json, string property) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : null;
}
