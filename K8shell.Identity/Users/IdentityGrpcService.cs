using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Identity.Tokens;
using K8shell.Identity.Users.Files;

namespace K8shell.Identity.Users;

/// <summary>
/// identity.proto: users from the file provider. FindUser, AuthUserPublicKey and IssueUserToken answer;
/// the others are Unimplemented until their part of the Identity issue lands (password store, onboarding).
/// </summary>
internal sealed class IdentityGrpcService(FileUserProvider files, TokenIssuer tokens, ILogger<IdentityGrpcService> logger) : IdentityService.IdentityServiceBase
{
    /// <summary>How long callers may keep a user record before asking again.</summary>
    private static readonly TimeSpan RecordLifetime = TimeSpan.FromMinutes(10);

    public override Task<User> FindUser(FindUserRequest request, ServerCallContext context)
    {
        var user = request.LookupCase switch
        {
            FindUserRequest.LookupOneofCase.Username when request.Username.Length > 0 => files.Find(request.Username),
            FindUserRequest.LookupOneofCase.Email when request.Email.Length > 0 => files.FindByEmail(request.Email),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "give a username or an email")),
        };
        return user is not null
            ? Task.FromResult(ToMessage(user))
            : throw new RpcException(new Status(StatusCode.NotFound, $"no user {request.Username}{request.Email}"));
    }

    public override Task<AuthUserResponse> AuthUserPublicKey(AuthUserPublicKeyRequest request, ServerCallContext context)
    {
        var offered = OfferedKey(request);
        var response = Check(files.Find(request.Username), offered);
        logger.LogInformation("Public key {Fingerprint} for {Username} from {ClientIp}: {Outcome}", offered.Fingerprint, request.Username,
            request.ClientIp, response.Valid ? "accepted" : response.FailureReason);
        return Task.FromResult(response);
    }

    public override Task<IssueUserTokenResponse> IssueUserToken(IssueUserTokenRequest request, ServerCallContext context)
    {
        var user = files.Find(request.Username) ?? throw new RpcException(new Status(StatusCode.NotFound, $"no user {request.Username}"));
        if (!user.IsValid || user.Locked)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{user.Username}: the account is {(user.Locked ? "locked" : "disabled")}"));
        }
        var source = request.Source is { Length: > 0 } given ? given : "unspecified";
        var (token, expires) = tokens.Issue(user, source, request.Audiences, request.LifetimeSeconds > 0 ? TimeSpan.FromSeconds(request.LifetimeSeconds) : null);
        logger.LogInformation("Issued a token for {Username} to {Source}, audiences {Audiences}, until {Expires:O}", user.Username, source,
            string.Join(',', request.Audiences), expires);
        return Task.FromResult(new IssueUserTokenResponse { UserToken = token, ExpiresAt = Timestamp.FromDateTimeOffset(expires) });
    }

    private static AuthUserResponse Check(UserRecord? user, AuthorizedKey offered) => user switch
    {
        // Unknown users look like wrong keys to the caller: no probing for names.
        null => new AuthUserResponse { FailureReason = "unknown user" },
        { IsValid: false } => new AuthUserResponse { FailureReason = "the account is disabled" },
        { Locked: true } => new AuthUserResponse { Locked = true, FailureReason = "the account is locked" },
        _ when !user.Auths.Contains("publickey") => new AuthUserResponse { FailureReason = "public key login is not enabled for this user" },
        _ when !user.AuthorizedKeys.Contains(offered) => new AuthUserResponse { FailureReason = $"key {offered.Fingerprint} is not one of the user's keys" },
        _ => new AuthUserResponse { Valid = true, User = ToMessage(user), KeyFingerprint = offered.Fingerprint },
    };

    private static AuthorizedKey OfferedKey(AuthUserPublicKeyRequest request)
    {
        try
        {
            return request.KeyCase switch
            {
                AuthUserPublicKeyRequest.KeyOneofCase.AuthorizedKey => AuthorizedKey.Parse(request.AuthorizedKey),
                AuthUserPublicKeyRequest.KeyOneofCase.KeyBlob => AuthorizedKey.FromBlob(request.KeyBlob.Span)
                    ?? throw new FormatException("key_blob is not an SSH public key"),
                _ => throw new FormatException("give authorized_key or key_blob"),
            };
        }
        catch (FormatException malformed)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, malformed.Message));
        }
    }

    private static User ToMessage(UserRecord user)
    {
        var message = new User
        {
            Username = user.Username,
            Organization = user.Organization,
            IsValid = user.IsValid,
            ExpiresAt = Timestamp.FromDateTime(DateTime.UtcNow + RecordLifetime),
            Uid = user.Uid,
            Gid = user.Gid,
            Fullname = user.Fullname,
            Email = user.Email,
            Locked = user.Locked,
            Source = user.Source,
            Shell = user.Shell,
            Sudo = user.Sudo,
            PublicKeyCount = (uint)user.AuthorizedKeys.Count,
        };
        message.Roles.AddRange(user.Roles);
        message.Blueprints.AddRange(user.Blueprints);
        message.AuthMethods.AddRange(user.AuthMethods);
        return message;
    }
}
