using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults.Callers;

/// <summary>
/// Every RPC needs <c>authorization: Bearer &lt;credential&gt;</c>: a static token from the allow-list or an
/// allowed Kubernetes service-account token. The caller's name is what the logs show; a refusal is logged
/// with its reason (never the credential) and answered as a gRPC status carrying that reason.
/// </summary>
public sealed class CallerAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes,
    ILoggerFactory logs,
    UrlEncoder encoder,
    CallerCredentials callers,
    ServiceAccountTokens serviceAccounts) : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, logs, encoder)
{
    public const string SchemeName = "caller";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            // Nothing to check. Public endpoints (health, JWKS) pass; protected ones are refused in the challenge.
            return AuthenticateResult.NoResult();
        }
        var credential = header["Bearer ".Length..].Trim();
        var caller = callers.Match(credential);
        if (caller is null)
        {
            if (!ServiceAccountTokens.LooksLikeJwt(credential))
            {
                return AuthenticateResult.Fail(new CallerRefusal("a credential that is not on the allow-list"));
            }
            try
            {
                caller = await serviceAccounts.ValidateAsync(credential, Context.RequestAborted);
            }
            catch (CallerRefusal refusal)
            {
                return AuthenticateResult.Fail(refusal);
            }
        }
        Logger.LogDebug("Call to {Path} by {Caller}", Request.Path, caller);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, caller)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// A protected endpoint without an accepted caller. For gRPC the answer is a trailers-only response
    /// (HTTP 200, <c>grpc-status</c>, <c>grpc-message</c>), so the caller sees why instead of a bare HTTP 401.
    /// </summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var refusal = result.Failure as CallerRefusal ?? new CallerRefusal(result.Failure?.Message ?? "no bearer credential");
        Logger.LogWarning("Refused a call to {Path} from {Peer}: {Reason}", Request.Path, Context.Connection.RemoteIpAddress, refusal.Message);
        if (Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            await base.HandleChallengeAsync(properties);
            return;
        }
        Response.StatusCode = StatusCodes.Status200OK;
        Response.ContentType = "application/grpc";
        Response.Headers["grpc-status"] = ((int)refusal.Status).ToString(CultureInfo.InvariantCulture);
        Response.Headers["grpc-message"] = Uri.EscapeDataString(refusal.Message);
    }
}

/// <summary>Why a caller was refused (never containing its credential), and the gRPC status that says so.</summary>
public sealed class CallerRefusal(string reason, StatusCode status = StatusCode.Unauthenticated) : Exception(reason)
{
    public StatusCode Status { get; } = status;
}
