using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace K8shell.Identity.Callers;

/// <summary>
/// Every RPC needs <c>authorization: Bearer &lt;credential&gt;</c> from the allow-list; the caller's name
/// is what the logs show. Secrets are compared by their SHA-256 in constant time and never logged.
/// </summary>
public sealed class CallerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes,
    ILoggerFactory logs,
    UrlEncoder encoder,
    CallerCredentials callers) : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, logs, encoder)
{
    public const string SchemeName = "caller";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Task.FromResult(Refuse("no bearer credential"));
        }
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        // Every entry is compared, so the time taken says nothing about which one was close.
        string? caller = null;
        foreach (var (name, known) in callers.Digests)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, known))
            {
                caller = name;
            }
        }
        if (caller is null)
        {
            return Task.FromResult(Refuse("a credential that is not on the allow-list"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, caller)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private AuthenticateResult Refuse(string reason)
    {
        Logger.LogWarning("Refused a call to {Path} from {Peer}: {Reason}", Request.Path, Context.Connection.RemoteIpAddress, reason);
        return AuthenticateResult.Fail(reason);
    }
}

/// <summary>The allowed callers' secrets, hashed once (a handler is made per request).</summary>
public sealed class CallerCredentials(IOptions<CallerOptions> options)
{
    public IReadOnlyList<(string Name, byte[] Digest)> Digests { get; } =
        [.. options.Value.StaticTokens.Select(pair => (pair.Key, SHA256.HashData(Encoding.UTF8.GetBytes(pair.Value))))];
}

public static class CallerRegistration
{
    public static WebApplicationBuilder AddCallerAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallerOptions>().BindConfiguration(CallerOptions.Section);
        builder.Services.AddSingleton<CallerCredentials>();
        builder.Services.AddAuthentication(CallerAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, CallerAuthentication>(CallerAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        return builder;
    }
}
