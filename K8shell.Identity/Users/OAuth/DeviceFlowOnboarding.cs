using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Identity.Store;

namespace K8shell.Identity.Users.OAuth;

/// <summary>
/// Onboarding over the RFC 8628 device grant: the person at the terminal is shown a code, authorises
/// it at the provider, and the provider's profile becomes the user. The SSH name must be the
/// provider login (lower case): nobody can claim another person's name by signing in as themselves.
/// Pending flows live in the store, so any replica can complete them.
/// </summary>
internal sealed class DeviceFlowOnboarding(OAuthProviders providers, DeviceFlows flows, UserDirectory users, TimeProvider time, ILogger<DeviceFlowOnboarding> logger)
{
    /// <summary>RFC 8628 §3.5: a slow_down answer adds five seconds to the interval.</summary>
    private static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    public async Task<UserOnboardCapability> CapabilityAsync(string username, CancellationToken cancellationToken)
    {
        var provider = await ProviderForNewUserAsync("", username, cancellationToken);
        return new UserOnboardCapability { Provider = provider.Name, Username = username, CanOnboard = true };
    }

    public async Task<DeviceFlowChallenge> StartAsync(string providerName, string username, CancellationToken cancellationToken)
    {
        var provider = await ProviderForNewUserAsync(providerName, username, cancellationToken);
        var authorization = await provider.StartDeviceFlowAsync(cancellationToken);
        var now = time.GetUtcNow();
        await flows.SaveAsync(new DeviceFlow(provider.Name, username, authorization.DeviceCode, authorization.UserCode, authorization.VerificationUri,
            now + authorization.ExpiresIn, authorization.Interval, now + authorization.Interval), cancellationToken);
        logger.LogInformation("Device flow started for {Username} at {Provider}, valid for {Seconds} s", username, provider.Name, authorization.ExpiresIn.TotalSeconds);
        return new DeviceFlowChallenge
        {
            Provider = provider.Name,
            Username = username,
            UserCode = authorization.UserCode,
            VerificationUri = authorization.VerificationUri,
            VerificationUriComplete = authorization.VerificationUriComplete,
            ExpiresInSeconds = (uint)authorization.ExpiresIn.TotalSeconds,
            IntervalSeconds = (uint)authorization.Interval.TotalSeconds,
        };
    }

    /// <summary>Polls the provider once, first waiting out the interval it asked for if need be.</summary>
    public async Task<DeviceFlowResult> CompleteAsync(string providerName, string username, CancellationToken cancellationToken)
    {
        var provider = Named(providerName, username);
        var flow = await flows.FindAsync(provider.Name, username, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"no device flow is in progress for {username} at {provider.Name}: start one first"));
        if (flow.ExpiresAt <= time.GetUtcNow())
        {
            return await EndAsync(flow, DeviceFlowResult.Types.Status.Expired, "the code has expired; start again", cancellationToken);
        }
        if (flow.NextPollAt - time.GetUtcNow() is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
        var poll = await provider.PollAsync(flow.DeviceCode, cancellationToken);
        switch (poll.Outcome)
        {
            case TokenPollOutcome.Pending or TokenPollOutcome.SlowDown:
                var interval = poll.Outcome == TokenPollOutcome.SlowDown ? flow.Interval + SlowDownStep : flow.Interval;
                await flows.SaveAsync(flow with { Interval = interval, NextPollAt = time.GetUtcNow() + interval }, cancellationToken);
                return new DeviceFlowResult
                {
                    Status = DeviceFlowResult.Types.Status.Pending,
                    Message = $"not authorised yet: open {flow.VerificationUri} and enter {flow.UserCode}",
                };
            case TokenPollOutcome.Denied:
                return await EndAsync(flow, DeviceFlowResult.Types.Status.Denied, $"the authorisation was refused at {provider.Name}", cancellationToken);
            case TokenPollOutcome.Expired:
                return await EndAsync(flow, DeviceFlowResult.Types.Status.Expired, "the code has expired; start again", cancellationToken);
        }
        var user = await provider.SignedInUserAsync(poll.AccessToken!, cancellationToken);
        if (user.Username != username)
        {
            return await EndAsync(flow, DeviceFlowResult.Types.Status.Denied,
                $"you signed in to {provider.Name} as {user.Username}, not {username}: connect as {user.Username}", cancellationToken);
        }
        if (!provider.Admits(user.Username))
        {
            return await EndAsync(flow, DeviceFlowResult.Types.Status.Denied, $"{provider.Name} users are admitted by name here, and {username} is not one of them", cancellationToken);
        }
        await users.SaveAsync(user, provider, cancellationToken);
        await flows.DeleteAsync(flow.Provider, username, cancellationToken);
        logger.LogInformation("Onboarded {Username} from {Provider} with {Keys} keys", username, provider.Name, user.AuthorizedKeys.Count);
        return new DeviceFlowResult { Status = DeviceFlowResult.Types.Status.Completed, User = user.ToMessage(), Message = $"welcome, {user.Fullname}" };
    }

    private async Task<DeviceFlowResult> EndAsync(DeviceFlow flow, DeviceFlowResult.Types.Status status, string message, CancellationToken cancellationToken)
    {
        await flows.DeleteAsync(flow.Provider, flow.Username, cancellationToken);
        logger.LogInformation("Device flow for {Username} at {Provider} ended: {Message}", flow.Username, flow.Provider, message);
        return new DeviceFlowResult { Status = status, Message = message };
    }

    /// <summary>The provider to onboard <paramref name="username"/> with, checking the name is free.</summary>
    private async Task<OAuthProvider> ProviderForNewUserAsync(string providerName, string username, CancellationToken cancellationToken)
    {
        var provider = Named(providerName, username);
        if (!provider.Admits(username))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{provider.Name} users are admitted by name here, and {username} is not one of them"));
        }
        if (await users.FindAsync(username, cancellationToken) is { IsValid: true } existing)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"{username} is a user already (from {existing.Source})"));
        }
        return provider;
    }

    /// <summary>The named provider, or without a name the first (by name) that admits the user.</summary>
    private OAuthProvider Named(string providerName, string username)
    {
        if (username.Length is 0 or > 64 || !username.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the name cannot be onboarded: a provider login in lower case (up to 64 characters) is expected"));
        }
        if (providerName.Length > 0)
        {
            return providers.Find(providerName) ?? throw new RpcException(new Status(StatusCode.NotFound, $"no OAuth provider {providerName} is configured"));
        }
        return providers.All.FirstOrDefault(provider => provider.Admits(username))
            ?? throw new RpcException(new Status(StatusCode.NotFound, providers.All.Count == 0
                ? "no provider here onboards users"
                : $"no provider here onboards {username}"));
    }
}
