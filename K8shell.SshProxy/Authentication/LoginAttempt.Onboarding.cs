using Grpc.Core;
using K8shell.Contracts.Identity.V1;
using K8shell.Ssh;
using K8shell.Ssh.Authentication;

namespace K8shell.SshProxy.Authentication;

/// <summary>
/// Keyboard-interactive onboarding (reference §1.5 step 6): one prompt showing where to authorise the device, then
/// Identity completes the device flow; a user who now exists must still prove a key in the same connection
/// (partial success), so onboarding never logs anyone in by itself.
/// </summary>
internal sealed partial class LoginAttempt
{
    private async ValueTask<AuthDecision> OnboardAsync(KeyboardInteractiveRequest request, CancellationToken cancellationToken)
    {
        trace.EnterAuthentication();
        return trace.Decided(SshServerConfig.KeyboardInteractiveMethod, await DeviceFlowAsync(request, cancellationToken));
    }

    private async ValueTask<AuthDecision> DeviceFlowAsync(KeyboardInteractiveRequest request, CancellationToken cancellationToken)
    {
        var state = await StateOfAsync(request.User, cancellationToken);
        if (!state.CanOnboard)
        {
            return AuthDecision.Reject();
        }
        var username = state.UserString!.Username;
        try
        {
            var challenge = await identity.OnboardUserDeviceFlowAsync(
                new OnboardUserDeviceFlowRequest { Provider = state.Provider, Username = username }, deadline: Deadline(), cancellationToken: cancellationToken);
            await request.AskAsync("K8shell onboarding", "", [(Prompt(challenge), true)], cancellationToken);
            var result = await CompleteAsync(challenge, cancellationToken);
            switch (result.Status)
            {
                case DeviceFlowResult.Types.Status.Completed:
                    _users.Remove(request.User); // looked up again: the user exists now, with their own methods
                    var onboarded = await StateOfAsync(request.User, cancellationToken);
                    return onboarded.User is null
                        ? AuthDecision.Reject(onboarded.Banner)
                        : AuthDecision.Partial(onboarded.Methods, banner: $"Welcome, {username}. Now log in with your SSH key.");
                case DeviceFlowResult.Types.Status.Pending:
                    return AuthDecision.Partial([SshServerConfig.KeyboardInteractiveMethod], banner: "The device is not authorised yet; press Enter once you have.");
                default:
                    Failures.Add($"onboarding: {result.Status}: {result.Message}");
                    return AuthDecision.Reject(result.Message is { Length: > 0 } message ? message : $"onboarding {result.Status.ToString().ToLowerInvariant()}");
            }
        }
        catch (RpcException failure)
        {
            LogIdentityFailed(logger, failure.StatusCode, failure.Status.Detail);
            Failures.Add($"onboarding: {failure.Status.Detail}");
            return AuthDecision.Reject(failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded ? IdentityUnavailable : failure.Status.Detail);
        }
    }

    /// <summary>
    /// Asks Identity a few times, at the flow's interval: the person pressed Enter when they believed they were done,
    /// so the answer is near; if it is still pending, the prompt comes again rather than holding the login open.
    /// </summary>
    private async ValueTask<DeviceFlowResult> CompleteAsync(DeviceFlowChallenge challenge, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, challenge.IntervalSeconds));
        for (var polls = 1; ; polls++)
        {
            var result = await identity.CompleteUserDeviceFlowAsync(
                new CompleteUserDeviceFlowRequest { Provider = challenge.Provider, Username = challenge.Username }, deadline: Deadline(), cancellationToken: cancellationToken);
            if (result.Status != DeviceFlowResult.Types.Status.Pending || polls == 3)
            {
                return result;
            }
            await Task.Delay(interval, cancellationToken);
        }
    }

    private static string Prompt(DeviceFlowChallenge challenge) =>
        $"Onboarding {challenge.Username} through {challenge.Provider}.\r\n" +
        $"Open {(challenge.VerificationUriComplete is { Length: > 0 } complete ? complete : challenge.VerificationUri)} and enter the code {challenge.UserCode} " +
        $"(valid for {challenge.ExpiresInSeconds} s).\r\n" +
        "Later logins use your SSH key only.\r\n" +
        "Press Enter once authorised, or Ctrl+C to cancel: ";
}
