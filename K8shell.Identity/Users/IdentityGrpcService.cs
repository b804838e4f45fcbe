using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Identity.Passwords;
using K8shell.Identity.Repositories;
using K8shell.Identity.Tokens;
using K8shell.Identity.Users.OAuth;

namespace K8shell.Identity.Users;

/// <summary>
/// identity.proto. Users come from the <see cref="UserDirectory"/> (user files, then the cache of
/// onboarded users); failures of providers and the store become statuses in <see cref="DependencyFailures"/>.
/// </summary>
internal sealed class IdentityGrpcService(
    UserDirectory users,
    PasswordLogin passwords,
    DeviceFlowOnboarding onboarding,
    RepositoryBlueprints repositoryBlueprints,
    TokenIssuer tokens,
    ILogger<IdentityGrpcService> logger) : IdentityService.IdentityServiceBase
{
    /// <summary>Longer names are refused before any lookup (no user has one).</summary>
    private const int MaxNameLength = 256;

    public override async Task<User> FindUser(FindUserRequest request, ServerCallContext context)
    {
        var lookup = request.LookupCase switch
        {
            FindUserRequest.LookupOneofCase.Username => Name(request.Username, "username"),
            FindUserRequest.LookupOneofCase.Email => Name(request.Email, "email"),
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "give a username or an email")),
        };
        var user = request.LookupCase == FindUserRequest.LookupOneofCase.Username
            ? await users.FindAsync(lookup, context.CancellationToken)
            : await users.FindByEmailAsync(lookup, context.CancellationToken);
        return user?.ToMessage() ?? throw new RpcException(new Status(StatusCode.NotFound, $"no user {lookup}"));
    }

    public override async Task<AuthUserResponse> AuthUserPublicKey(AuthUserPublicKeyRequest request, ServerCallContext context)
    {
        var offered = OfferedKey(request);
        var response = Check(await users.FindAsync(Name(request.Username, "username"), context.CancellationToken), offered);
        logger.LogInformation("Public key {Fingerprint} for {Username} from {ClientIp}: {Outcome}", offered.Fingerprint, request.Username,
            request.ClientIp, response.Valid ? "accepted" : response.FailureReason);
        return response;
    }

    public override async Task<AuthUserResponse> AuthUserPassword(AuthUserPasswordRequest request, ServerCallContext context)
    {
        if (request.Password.Length is 0 or > 1024)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a password of 1 to 1024 characters is expected"));
        }
        var response = await passwords.CheckAsync(Name(request.Username, "username"), request.Password, context.CancellationToken);
        logger.LogInformation("Password for {Username} from {ClientIp}: {Outcome}", request.Username, request.ClientIp,
            response.Valid ? "accepted" : response.FailureReason);
        return response;
    }

    public override async Task<IssueUserTokenResponse> IssueUserToken(IssueUserTokenRequest request, ServerCallContext context)
    {
        var username = Name(request.Username, "username");
        var user = await users.FindAsync(username, context.CancellationToken) ?? throw new RpcException(new Status(StatusCode.NotFound, $"no user {username}"));
        if (!user.IsValid || user.Locked)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{user.Username}: the account is {(user.Locked ? "locked" : "disabled")}"));
        }
        var source = request.Source is { Length: > 0 } given ? given : "unspecified";
        var (token, expires) = tokens.Issue(user, source, request.Audiences, request.LifetimeSeconds > 0 ? TimeSpan.FromSeconds(request.LifetimeSeconds) : null);
        logger.LogInformation("Issued a token for {Username} to {Source}, audiences {Audiences}, until {Expires:O}", user.Username, source,
            string.Join(',', request.Audiences), expires);
        return new IssueUserTokenResponse { UserToken = token, ExpiresAt = Timestamp.FromDateTimeOffset(expires) };
    }

    public override Task<UserOnboardCapability> GetUserOnboardCapability(GetUserOnboardCapabilityRequest request, ServerCallContext context) =>
        onboarding.CapabilityAsync(request.Username, context.CancellationToken);

    public override Task<DeviceFlowChallenge> OnboardUserDeviceFlow(OnboardUserDeviceFlowRequest request, ServerCallContext context) =>
        onboarding.StartAsync(request.Provider, request.Username, context.CancellationToken);

    public override Task<DeviceFlowResult> CompleteUserDeviceFlow(CompleteUserDeviceFlowRequest request, ServerCallContext context) =>
        onboarding.CompleteAsync(request.Provider, request.Username, context.CancellationToken);

    public override Task<RepositoryBlueprint> GetBlueprintByUserStr(GetBlueprintByUserStrRequest request, ServerCallContext context) =>
        repositoryBlueprints.ReadAsync(request.Userstr, context.CancellationToken);

    private static AuthUserResponse Check(UserRecord? user, AuthorizedKey offered) => user switch
    {
        // Unknown users look like wrong keys to the caller: no probing for names.
        null => new AuthUserResponse { FailureReason = "unknown user" },
        { IsValid: false } => new AuthUserResponse { FailureReason = "the account is disabled" },
        { Locked: true } => new AuthUserResponse { Locked = true, FailureReason = "the account is locked" },
        _ when !user.Auths.Contains("publickey") => new AuthUserResponse { FailureReason = "public key login is not enabled for this user" },
        _ when !user.AuthorizedKeys.Contains(offered) => new AuthUserResponse { FailureReason = $"key {offered.Fingerprint} is not one of the user's keys" },
        _ => new AuthUserResponse { Valid = true, User = user.ToMessage(), KeyFingerprint = offered.Fingerprint },
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

    /// <summary>A username or email, present and of a sane length.</summary>
    private static string Name(string value, string field) => value.Length is > 0 and <= MaxNameLength
        ? value
        : throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field}: 1 to {MaxNameLength} characters expected, got {value.Length}"));
}
