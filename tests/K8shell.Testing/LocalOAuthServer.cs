using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace K8shell.Testing;

/// <summary>
/// GitHub's and GitLab's device grant (RFC 8628), user and repository file APIs, on loopback. Our machines
/// cannot reach the real GitHub or GitLab, so onboarding and repository blueprints are proven against this
/// server, which answers as they do: GitHub at /login/… with OAuth errors in 200 answers and its API under
/// /api (standing in for api.github.com), GitLab at /oauth/… with RFC 6749 400 errors and its API under /api/v4.
/// The test plays the person at the browser with <see cref="Approve"/> and <see cref="Deny"/>, or a program does
/// over HTTP at the verification address (<c>POST /login/device</c>, as the browser's form would), and the
/// repositories' owners with <see cref="SetRepositoryFile"/>.
/// </summary>
public sealed class LocalOAuthServer : IAsyncDisposable
{
    public const string ClientId = "k8shell-test-client";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<long, Account> _accounts = new();
    private readonly ConcurrentDictionary<string, Grant> _grants = new();
    private readonly ConcurrentDictionary<string, string> _accessTokens = new();
    private readonly ConcurrentBag<string> _issued = [];
    private readonly ConcurrentDictionary<(string Repository, string Branch), byte[]> _files = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _repositoryDelays = new();

    private LocalOAuthServer(WebApplication app) => _app = app;

    public string Address => _app.Urls.First();

    /// <summary>Every request as "METHOD /path", in order: what Identity asked and when.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Every device code and access token handed out: none may show up in a log.</summary>
    public IEnumerable<string> IssuedSecrets => _issued;

    /// <summary>What the device authorization endpoint grants.</summary>
    public int ExpiresInSeconds { get; set; } = 900;

    public int IntervalSeconds { get; set; } = 1;

    /// <summary>How long every answer is held back (to play a provider that does not answer).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The branch a repository file request without a ref (GitHub) or with HEAD (GitLab) reads.</summary>
    public const string DefaultBranch = "main";

    /// <summary>Every repository file read, as sent ("/path?query"), with the Authorization header it carried ("" without).</summary>
    public ConcurrentQueue<(string Target, string Authorization)> RepositoryReads { get; } = new();

    /// <summary>Repository file reads are answered as GitHub answers a token without access (403, not a rate limit).</summary>
    public bool RefuseRepositoryReads { get; set; }

    /// <summary>Repository file reads are answered as GitHub answers once the hourly limit is used up.</summary>
    public bool RateLimitRepositoryReads { get; set; }

    public sealed record Account(long Id, string Login, string Name, string? PublicEmail, string[] VerifiedEmails, string[] Keys);

    private sealed record Grant(string DeviceCode, string UserCode, DateTimeOffset ExpiresAt)
    {
        public string? Login { get; set; }
        public bool Denied { get; set; }
    }

    public static async Task<LocalOAuthServer> StartAsync()
    {
        var app = LoopbackWebApplication.CreateBuilder().Build();
        var server = new LocalOAuthServer(app);
        server.Map(app);
        await app.StartAsync();
        return server;
    }

    public void AddAccount(Account account) => _accounts[account.Id] = account;

    public void RemoveAccount(long id) => _accounts.TryRemove(id, out _);

    /// <summary>The person enters <paramref name="userCode"/> and signs in as <paramref name="login"/>.</summary>
    public void Approve(string userCode, string login) => GrantFor(userCode).Login = login;

    public void Deny(string userCode) => GrantFor(userCode).Denied = true;

    /// <summary>Puts <paramref name="content"/> in <c>.k8shell.yaml</c> of <paramref name="repository"/> ("owner/name") on <paramref name="branch"/>.</summary>
    public void SetRepositoryFile(string repository, byte[] content, string branch = DefaultBranch) => _files[(repository, branch)] = content;

    /// <summary>Holds back answers about <paramref name="repository"/> only: a slow provider for one test, whatever others do meanwhile.</summary>
    public void DelayRepository(string repository, TimeSpan delay) => _repositoryDelays[repository] = delay;

    private Grant GrantFor(string userCode) => _grants.Values.Single(grant => grant.UserCode == userCode);

    /// <summary>
    /// The verification page's form, for a person who is a program (an SSH client's askpass): <c>user_code</c>, and
    /// either <c>login</c> (signed in as) to approve or <c>decision=deny</c>. 404 for a code nobody was given.
    /// </summary>
    private async Task<IResult> DecideAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var userCode = form["user_code"].ToString();
        if (!_grants.Values.Any(grant => grant.UserCode == userCode))
        {
            return Results.NotFound();
        }
        if (form["decision"] == "deny")
        {
            Deny(userCode);
        }
        else if (form["login"].ToString() is { Length: > 0 } login)
        {
            Approve(userCode, login);
        }
        else
        {
            return Results.BadRequest("sign in first: login is missing");
        }
        return Results.Ok();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            await Task.Delay(Delay, context.RequestAborted);
            await next(context);
        });
        app.MapPost("/login/device/code", StartGrant);
        app.MapPost("/oauth/authorize_device", StartGrant);
        app.MapPost("/login/device", DecideAsync);
        app.MapPost("/login/oauth/access_token", (HttpRequest request) => PollAsync(request, errorStatus: StatusCodes.Status200OK));
        app.MapPost("/oauth/token", (HttpRequest request) => PollAsync(request, errorStatus: StatusCodes.Status400BadRequest));

        // GitHub: the signed-in user, their addresses, anyone by id, anyone's keys by login.
        app.MapGet("/api/user", (HttpRequest request) => Signed(request) is { } account ? Results.Json(Profile(account, "login")) : Results.Unauthorized());
        app.MapGet("/api/user/emails", (HttpRequest request) => Signed(request) is { } account
            ? Results.Json(account.VerifiedEmails.Select((email, index) => new { email, primary = index == 0, verified = true })
                .Append(new { email = "unverified@example.test", primary = false, verified = false }))
            : Results.Unauthorized());
        app.MapGet("/api/user/{id:long}", (long id) => _accounts.TryGetValue(id, out var account) ? Results.Json(Profile(account, "login")) : Results.NotFound());
        app.MapGet("/api/users/{login}/keys", (string login) => _accounts.Values.FirstOrDefault(account => account.Login == login) is { } account
            ? Results.Json(Keys(account))
            : Results.NotFound());

        // GitLab: the signed-in user (address included), anyone by id, anyone's keys by id.
        app.MapGet("/api/v4/user", (HttpRequest request) => Signed(request) is { } account
            ? Results.Json(Profile(account, "username") with { email = account.VerifiedEmails.FirstOrDefault() })
            : Results.Unauthorized());
        app.MapGet("/api/v4/users/{id:long}", (long id) => _accounts.TryGetValue(id, out var account) ? Results.Json(Profile(account, "username")) : Results.NotFound());
        app.MapGet("/api/v4/users/{id:long}/keys", (long id) => _accounts.TryGetValue(id, out var account) ? Results.Json(Keys(account)) : Results.NotFound());

        // Repository files: GitHub's contents API (the raw file only for its raw media type, JSON with base64 otherwise;
        // no ref: the default branch), GitLab's raw file API (the project as one escaped segment; ref HEAD: the default branch).
        app.MapGet("/api/repos/{owner}/{name}/contents/{**path}", (HttpContext context, string owner, string name, string path) =>
            RepositoryFileAsync(context, $"{owner}/{name}", path, context.Request.Query["ref"].FirstOrDefault(), raw: context.Request.Headers.Accept == "application/vnd.github.raw"));
        app.MapGet("/api/v4/projects/{project}/repository/files/{path}/raw", (HttpContext context, string project, string path) =>
            RepositoryFileAsync(context, Uri.UnescapeDataString(project), Uri.UnescapeDataString(path), context.Request.Query["ref"].FirstOrDefault(), raw: true));
    }

    private async Task<IResult> RepositoryFileAsync(HttpContext context, string repository, string path, string? reference, bool raw)
    {
        RepositoryReads.Enqueue((context.Features.Get<IHttpRequestFeature>()!.RawTarget, context.Request.Headers.Authorization.ToString()));
        if (_repositoryDelays.TryGetValue(repository, out var delay))
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        if (RateLimitRepositoryReads)
        {
            context.Response.Headers["x-ratelimit-remaining"] = "0";
            return Results.Json(new { message = "API rate limit exceeded" }, statusCode: StatusCodes.Status403Forbidden);
        }
        if (RefuseRepositoryReads)
        {
            return Results.Json(new { message = "Resource not accessible by personal access token" }, statusCode: StatusCodes.Status403Forbidden);
        }
        var branch = reference is null or "HEAD" ? DefaultBranch : reference;
        if (path != ".k8shell.yaml" || !_files.TryGetValue((repository, branch), out var content))
        {
            return Results.Json(new { message = "Not Found" }, statusCode: StatusCodes.Status404NotFound);
        }
        return raw
            ? Results.Bytes(content, "text/plain; charset=utf-8")
            : Results.Json(new { type = "file", encoding = "base64", content = Convert.ToBase64String(content) });
    }

    private async Task<IResult> StartGrant(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["client_id"] != ClientId)
        {
            return Results.Json(new { error = "invalid_client", error_description = "unknown client" }, statusCode: StatusCodes.Status401Unauthorized);
        }
        var grant = new Grant(Convert.ToHexString(RandomNumberGenerator.GetBytes(20)), $"{RandomNumberGenerator.GetHexString(4)}-{RandomNumberGenerator.GetHexString(4)}",
            DateTimeOffset.UtcNow.AddSeconds(ExpiresInSeconds));
        _grants[grant.DeviceCode] = grant;
        _issued.Add(grant.DeviceCode);
        return Results.Json(new
        {
            device_code = grant.DeviceCode,
            user_code = grant.UserCode,
            verification_uri = $"{Address}/login/device",
            expires_in = ExpiresInSeconds,
            interval = IntervalSeconds,
        });
    }

    private async Task<IResult> PollAsync(HttpRequest request, int errorStatus)
    {
        var form = await request.ReadFormAsync();
        IResult Error(string error) => Results.Json(new { error, error_description = $"the test server says {error}" }, statusCode: errorStatus);
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:device_code" || form["client_id"] != ClientId)
        {
            return Error("unsupported_grant_type");
        }
        if (!_grants.TryGetValue(form["device_code"].ToString(), out var grant))
        {
            return Error("incorrect_device_code");
        }
        if (grant.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            return Error("expired_token");
        }
        if (grant.Denied)
        {
            return Error("access_denied");
        }
        if (grant.Login is null)
        {
            return Error("authorization_pending");
        }
        _grants.TryRemove(grant.DeviceCode, out _);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(20));
        _accessTokens[token] = grant.Login;
        _issued.Add(token);
        return Results.Json(new { access_token = token, token_type = "bearer", scope = "read:user" });
    }

    private Account? Signed(HttpRequest request) =>
        request.Headers.Authorization.ToString() is var header && header.StartsWith("Bearer ", StringComparison.Ordinal)
        && _accessTokens.TryGetValue(header["Bearer ".Length..], out var login)
            ? _accounts.Values.FirstOrDefault(account => account.Login == login)
            : null;

    private sealed record ProfileJson(long id, string? login, string? username, string name, string? email);

    private static ProfileJson Profile(Account account, string loginField) =>
        new(account.Id, loginField == "login" ? account.Login : null, loginField == "username" ? account.Login : null, account.Name, account.PublicEmail);

    private static object[] Keys(Account account) => [.. account.Keys.Select((key, index) => new { id = index + 1, key })];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
