using System.Security.Cryptography;
using K8shell.WorkspaceDaemon.Workspace;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace K8shell.WorkspaceDaemon.Security;

/// <summary>
/// Every RPC needs a bearer JWT for audience "k8shelld" whose subject is the workspace owner.
/// Missing or invalid tokens end the call with Unauthenticated, other users' with PermissionDenied;
/// the log says why (never the token).
/// </summary>
public static class CallerAuthentication
{
    public const string OwnerPolicy = "workspace-owner";

    public static WebApplicationBuilder AddCallerAuthentication(this WebApplicationBuilder builder)
    {
        var caller = builder.Configuration.GetSection(CallerOptions.Section).Get<CallerOptions>() ?? new CallerOptions();
        if (caller.JwksUrl is null == string.IsNullOrEmpty(caller.PublicKeyFile))
        {
            throw new InvalidOperationException("Auth: set exactly one of Auth:JwksUrl (Identity's JWKS) or Auth:PublicKeyFile (a PEM public key)");
        }
        var owner = builder.Configuration[$"{WorkspaceOptions.Section}:{nameof(WorkspaceOptions.Owner)}"];
        // Read now, so a bad key file stops the daemon at start rather than failing every call.
        var fixedKey = caller.PublicKeyFile is { Length: > 0 } keyFile ? LoadPublicKey(keyFile) : null;

        builder.Services.AddHttpClient(nameof(JwksConfigurationManager));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IHttpClientFactory, ILoggerFactory>((jwt, clients, logs) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = CallerOptions.Audience,
                    ValidateIssuer = !string.IsNullOrEmpty(caller.Issuer),
                    ValidIssuer = caller.Issuer,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "sub",
                };
                if (caller.JwksUrl is { } jwks)
                {
                    jwt.ConfigurationManager = new JwksConfigurationManager(jwks, clients.CreateClient(nameof(JwksConfigurationManager)),
                        logs.CreateLogger<JwksConfigurationManager>());
                }
                else
                {
                    jwt.TokenValidationParameters.IssuerSigningKey = fixedKey;
                }
                var log = logs.CreateLogger(typeof(CallerAuthentication));
                jwt.Events = new JwtBearerEvents
                {
                    OnAuthenticationFailed = context =>
                    {
                        log.LogWarning("Refused a call to {Path} from {Peer}: {Reason}", context.Request.Path,
                            context.HttpContext.Connection.RemoteIpAddress, context.Exception.Message);
                        return Task.CompletedTask;
                    },
                    OnChallenge = context =>
                    {
                        if (context.AuthenticateFailure is null)
                        {
                            log.LogWarning("Refused a call to {Path} from {Peer}: {Reason}", context.Request.Path,
                                context.HttpContext.Connection.RemoteIpAddress, context.ErrorDescription ?? "no bearer token");
                        }
                        return Task.CompletedTask;
                    },
                    OnForbidden = context =>
                    {
                        log.LogWarning("Refused a call to {Path} by {User}: the workspace belongs to {Owner}", context.Request.Path,
                            context.Principal?.Identity?.Name, owner);
                        return Task.CompletedTask;
                    },
                };
            });
        builder.Services.AddAuthorizationBuilder().AddPolicy(OwnerPolicy, policy => policy.RequireClaim("sub", owner ?? ""));
        return builder;
    }

    /// <summary>An EC or RSA public key in PEM; anything else stops the daemon naming the setting.</summary>
    private static SecurityKey LoadPublicKey(string path)
    {
        var pem = File.Exists(path) ? File.ReadAllText(path) : throw new InvalidOperationException($"Auth:PublicKeyFile: {path} does not exist");
        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (ArgumentException)
        {
            try
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return new RsaSecurityKey(rsa);
            }
            catch (ArgumentException)
            {
                throw new InvalidOperationException($"Auth:PublicKeyFile: {path} holds no EC or RSA public key in PEM");
            }
        }
    }
}
