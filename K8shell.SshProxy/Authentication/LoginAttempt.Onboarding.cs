using System.Diagnostics;
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
    /// <summary>The device flow this connection showed and is waiting on: asked again, the prompt shows the same code.</summary>
    private PendingFlow? _pendingFlow;

    /// <summary>When the first onboarding prompt was shown (a <see cref="Stopwatch"/> timestamp): the grace's extensions count from it.</summary>
    private long? _onboardingStarted;

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
            var flow = await FlowForAsync(request.User, state, cancellationToken);
            request.ExtendLoginGrace(OnboardingGrace(flow));
            await request.AskAsync("K8shell onboarding", "", [(Prompt(flow), true)], cancellationToken);
            var result = await CompleteAsync(flow.Challenge, cancellationToken);
            if (result.Status != DeviceFlowResult.Types.Status.Pending)
            {
                _pendingFlow = null; // Identity has ended the flow: a new attempt starts a new one
            }
            switch (result.Status)
            {
                case DeviceFlowResult.Types.Status.Completed:
                    _users.Remove(request.User); // looked up again: the user exists now, with their own methods
                    var onboarded = await StateOfAsync(request.User, cancellationToken);
                    if (onboarded.User is null)
                    {
                        return AuthDecision.Reject(onboarded.Banner);
                    }
                    if (onboarded.Methods.Count == 0)
                    {
                        // Partial success with no method left would end in a bare "Permission denied ()".
                        Failures.Add($"onboarding: {username} has no SSH key at {flow.Challenge.Provider}");
                        return AuthDecision.Reject($"Welcome, {username}. {flow.Challenge.Provider} has no SSH key of yours: add one there, then connect again.");
                    }
                    return AuthDecision.Partial(onboarded.Methods, banner: $"Welcome, {username}. Now log in with your SSH key.");
                case DeviceFlowResult.Types.Status.Pending:
                    return AuthDecision.Partial([SshServerConfig.KeyboardInteractiveMethod], banner: "The device is not authorised yet; press Enter once you have.");
                default:
                    Failures.Add($"onboarding: {result.Status}: {result.Message}");
                    return AuthDecision.Reject(result.Message is { Length: > 0 } message ? message : $"onboarding {result.Status.ToString().ToLowerInvariant()}");
            }
        }
        catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            _pendingFlow = null;
            throw IdentityOutage(failure);
        }
        catch (RpcException failure)
        {
            _pendingFlow = null;
            LogIdentityFailed(logger, failure.StatusCode, failure.Status.Detail);
            Failures.Add($"onboarding: {failure.Status.Detail}");
            return AuthDecision.Reject(failure.Status.Detail);
        }
    }

    /// <summary>
    /// The flow already shown to this user while its code is valid (the person may be typing it in right now; a new
    /// code would replace it at Identity and their authorisation would be for nothing), else a new one.
    /// </summary>
    private async ValueTask<PendingFlow> FlowForAsync(string sshUser, UserState state, CancellationToken cancellationToken)
    {
        if (_pendingFlow is { } pending && pending.SshUser == sshUser && pending.Left > TimeSpan.Zero)
        {
            return pending;
        }
        var challenge = await identity.OnboardUserDeviceFlowAsync(
            new OnboardUserDeviceFlowRequest { Provider = state.Provider, Username = state.UserString!.Username }, deadline: Deadline(), cancellationToken: cancellationToken);
        _pendingFlow = new PendingFlow(sshUser, challenge, Stopwatch.GetTimestamp());
        return _pendingFlow;
    }

    /// <summary>
    /// How long the person gets from now: until the code expires, and no more than OnboardingGraceTime after the
    /// connection's first prompt, so new codes cannot keep a connection unauthenticated for ever.
    /// </summary>
    private TimeSpan OnboardingGrace(PendingFlow flow)
    {
        _onboardingStarted ??= Stopwatch.GetTimestamp();
        var capLeft = options.OnboardingGraceTime - Stopwatch.GetElapsedTime(_onboardingStarted.Value);
        return flow.Left < capLeft ? flow.Left : capLeft;
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

    private static string Prompt(PendingFlow flow) =>
        $"Onboarding {flow.Challenge.Username} through {flow.Challenge.Provider}.\r\n" +
        $"Open {(flow.Challenge.VerificationUriComplete is { Length: > 0 } complete ? complete : flow.Challenge.VerificationUri)} " +
        $"and enter the code {flow.Challenge.UserCode} (valid for {flow.Left.TotalSeconds:F0} s).\r\n" +
        "Later logins use your SSH key only.\r\n" +
        "Press Enter once authorised, or Ctrl+C to cancel: ";

    /// <summary>A device flow shown to <paramref name="SshUser"/>, started at <paramref name="StartedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    private sealed record PendingFlow(string SshUser, DeviceFlowChallenge Challenge, long StartedAt)
    {
        /// <summary>How long the code is still valid.</summary>
        public TimeSpan Left => TimeSpan.FromSeconds(Challenge.ExpiresInSeconds) - Stopwatch.GetElapsedTime(StartedAt);
    }
}
