using System.Net;
using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Ssh;
using K8shell.Ssh.Authentication;
using K8shell.Ssh.HostKeys;
using K8shell.UserStrings;

namespace K8shell.SshProxy.Authentication;

/// <summary>
/// The authentication of one connection through Identity (SPEC.md §2, reference §1.5): the user string is parsed
/// first (a bad one is explained in the auth banner), the methods are the user's own, each offered key costs one
/// Identity call (the library asks once per key for query and signature alike), an unknown user who can onboard
/// goes through the device flow, and every reason for failing is kept for the failed-login event.
/// </summary>
internal sealed partial class LoginAttempt(
    IdentityService.IdentityServiceClient identity, SshProxyOptions options, IPEndPoint client, LoginTrace trace, ILogger logger)
{
    /// <summary>Shown when Identity does not answer: the person should retry, not doubt their key.</summary>
    public const string IdentityUnavailable = "authentication service unavailable, try again";

    private readonly Dictionary<string, UserState> _users = new(StringComparer.Ordinal);

    /// <summary>Why attempts failed, in order, for the failed-login event (SPEC.md §3).</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Whether the login ended because Identity did not answer (<see cref="IdentityUnavailable"/>), not because of the client.</summary>
    public bool IdentityWasUnavailable { get; private set; }

    /// <summary>The user name the client last asked for, parsed when it could be.</summary>
    public string LastUsername { get; private set; } = "";

    public SshServerConfig ServerConfig(IReadOnlyList<HostKey> hostKeys) => new()
    {
        HostKeys = hostKeys,
        SoftwareVersion = "K8shell_" + ProxyVersion.Number,
        LoginGraceTime = options.LoginGraceTime,
        MaxAuthAttempts = options.MaxAuthTries,
        AuthMethods = MethodsAsync,
        Banner = user => _users.TryGetValue(user, out var state) ? state.Banner : null,
        PublicKeyCallback = PublicKeyAsync,
        PasswordCallback = PasswordAsync,
        KeyboardInteractiveCallback = OnboardAsync,
    };

    private async ValueTask<IReadOnlyList<string>> MethodsAsync(string sshUser, CancellationToken cancellationToken)
    {
        trace.EnterAuthentication();
        var state = await StateOfAsync(sshUser, cancellationToken);
        return state.Methods;
    }

    /// <summary>Parse, look up and decide the methods once per SSH user name of the connection.</summary>
    private async ValueTask<UserState> StateOfAsync(string sshUser, CancellationToken cancellationToken)
    {
        if (_users.TryGetValue(sshUser, out var known))
        {
            return known;
        }
        var state = await LookUpAsync(sshUser, cancellationToken);
        _users[sshUser] = state;
        if (state.Banner is { } why)
        {
            Failures.Add(why);
        }
        return state;
    }

    private async ValueTask<UserState> LookUpAsync(string sshUser, CancellationToken cancellationToken)
    {
        UserString userString;
        try
        {
            userString = UserStringParser.Parse(sshUser);
        }
        catch (UserStringException invalid)
        {
            LastUsername = sshUser.Length > 64 ? sshUser[..64] : sshUser;
            return UserState.Refused(invalid.Message);
        }
        LastUsername = userString.Username;
        try
        {
            var user = await FindUserAsync(userString.Username, cancellationToken);
            if (user is not null)
            {
                return user.Locked ? UserState.Refused($"user {userString.Username} is locked")
                    : !user.IsValid ? UserState.Refused($"user {userString.Username} is no longer valid")
                    : new UserState(userString, user, [.. MethodsOf(user)], null, CanOnboard: false);
            }
            var capability = await OnboardCapabilityAsync(userString.Username, cancellationToken);
            return capability.CanOnboard
                ? new UserState(userString, null, [SshServerConfig.KeyboardInteractiveMethod], null, CanOnboard: true) { Provider = capability.Provider }
                : UserState.Refused($"user {userString.Username} is not known and cannot be onboarded");
        }
        catch (RpcException failure) when (failure.StatusCode is not (StatusCode.InvalidArgument or StatusCode.NotFound))
        {
            throw IdentityOutage(failure);
        }
    }

    private async ValueTask<User?> FindUserAsync(string username, CancellationToken cancellationToken)
    {
        try
        {
            return await identity.FindUserAsync(new FindUserRequest { Username = username }, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException notFound) when (notFound.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether an unknown user may onboard. NotFound (no provider admits the name, or none is configured) and InvalidArgument
    /// (not a provider login) mean no, as CanOnboard false does: the name is refused as unknown, a failed login like any other.
    /// </summary>
    private async ValueTask<UserOnboardCapability> OnboardCapabilityAsync(string username, CancellationToken cancellationToken)
    {
        try
        {
            return await identity.GetUserOnboardCapabilityAsync(
                new GetUserOnboardCapabilityRequest { Username = username }, deadline: Deadline(), cancellationToken: cancellationToken);
        }
        catch (RpcException cannot) when (cannot.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return new UserOnboardCapability { CanOnboard = false };
        }
    }

    private static IEnumerable<string> MethodsOf(User user) =>
        new[] { SshServerConfig.PublicKeyMethod, SshServerConfig.PasswordMethod }.Where(method => user.AuthMethods.Contains(method)
            && (method != SshServerConfig.PublicKeyMethod || user.PublicKeyCount > 0));

    private async ValueTask<AuthDecision> PublicKeyAsync(PublicKeyAuthRequest request, CancellationToken cancellationToken)
    {
        trace.EnterAuthentication();
        var state = await StateOfAsync(request.User, cancellationToken);
        if (state.User is null)
        {
            // Not onboarded yet: the key proves nothing until the device flow made the user (reference §1.5 step 5).
            return trace.Decided(SshServerConfig.PublicKeyMethod,
                state.CanOnboard ? AuthDecision.Partial([SshServerConfig.KeyboardInteractiveMethod]) : AuthDecision.Reject());
        }
        return await CheckAsync(SshServerConfig.PublicKeyMethod, $"publickey {request.Key.Fingerprint}", state, () => identity.AuthUserPublicKeyAsync(new AuthUserPublicKeyRequest
        {
            Username = state.UserString!.Username,
            KeyBlob = Google.Protobuf.ByteString.CopyFrom(request.Key.Blob),
            ClientIp = client.Address.ToString(),
        }, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync);
    }

    private async ValueTask<AuthDecision> PasswordAsync(PasswordAuthRequest request, CancellationToken cancellationToken)
    {
        trace.EnterAuthentication();
        var state = await StateOfAsync(request.User, cancellationToken);
        if (state.User is null)
        {
            return trace.Decided(SshServerConfig.PasswordMethod, AuthDecision.Reject());
        }
        return await CheckAsync(SshServerConfig.PasswordMethod, "password", state, () => identity.AuthUserPasswordAsync(new AuthUserPasswordRequest
        {
            Username = state.UserString!.Username,
            Password = request.Password,
            ClientIp = client.Address.ToString(),
        }, deadline: Deadline(), cancellationToken: cancellationToken).ResponseAsync);
    }

    /// <summary>One Identity check; its failure reason goes to the event, a lockout to the person.</summary>
    private async ValueTask<AuthDecision> CheckAsync(string method, string attempt, UserState state, Func<Task<AuthUserResponse>> call) =>
        trace.Decided(method, await AskIdentityAsync(attempt, state, call));

    private async ValueTask<AuthDecision> AskIdentityAsync(string attempt, UserState state, Func<Task<AuthUserResponse>> call)
    {
        try
        {
            var response = await call();
            if (response.Valid)
            {
                return AuthDecision.Accept(new LoginResult(state.UserString!, response.User ?? state.User!));
            }
            Failures.Add($"{attempt}: {(response.FailureReason is { Length: > 0 } reason ? reason : "refused")}");
            return response.Locked
                ? AuthDecision.Reject(response.LockedUntil is { } until ? $"account locked until {until.ToDateTimeOffset():u}" : "account locked")
                : AuthDecision.Reject();
        }
        catch (RpcException failure)
        {
            throw IdentityOutage(failure);
        }
    }

    /// <summary>
    /// Identity did not answer: the connection ends with a disconnect message, which ssh prints at any LogLevel (an
    /// auth banner shows only at INFO, followed by a misleading "Permission denied"). It is no failed login: the
    /// person did nothing wrong, and Shield must not ban everyone who retries during an outage.
    /// </summary>
    private SshProtocolException IdentityOutage(RpcException failure)
    {
        LogIdentityFailed(logger, failure.StatusCode, failure.Status.Detail);
        IdentityWasUnavailable = true;
        return new SshProtocolException(SshDisconnectReason.ByApplication, IdentityUnavailable);
    }

    private DateTime Deadline() => DateTime.UtcNow + options.AuthCallTimeout;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity call failed during authentication: {Status} {Detail}")]
    private static partial void LogIdentityFailed(ILogger logger, StatusCode status, string detail);

    /// <summary>What the connection knows about one SSH user name.</summary>
    private sealed record UserState(UserString? UserString, User? User, IReadOnlyList<string> Methods, string? Banner, bool CanOnboard)
    {
        public string Provider { get; init; } = "";

        public static UserState Refused(string why) => new(null, null, [], why, CanOnboard: false);
    }
}

/// <summary>Who logged in: what the connection carries on from authentication.</summary>
internal sealed record LoginResult(UserString UserString, User User);
