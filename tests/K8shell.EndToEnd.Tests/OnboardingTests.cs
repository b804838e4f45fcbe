using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// Keyboard-interactive onboarding through the gateway with the real ssh (SPEC.md §2, reference §1.5 step 6): a name
/// Identity does not know but its OAuth provider admits gets one prompt with the address and code of an RFC 8628
/// device flow; the person (an askpass program) authorises it at the provider (<see cref="LocalOAuthServer"/>, the
/// real GitHub being unreachable here) and presses Enter; partial success then asks for the key the provider
/// publishes for them, in the same connection.
/// </summary>
public sealed class OnboardingTests(StackFixture stack)
{
    private static readonly string[] OnboardingOptions = ["-o", "PreferredAuthentications=keyboard-interactive,publickey"];

    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_refused_authorisation_ends_the_login_with_the_reason_and_a_failed_login_event()
    {
        using var askpass = Askpass.Onboarding(Onboarding.DenyingUser, deny: true);
        await using var failures = await FailureEvents.SubscribeAsync(stack, Cancellation);

        var (exitCode, _, errors) = await _gateway.InteractiveSshAsync(askpass, "true", Onboarding.DenyingUser, stack.NewUserKeyFile,
            ["-o", "LogLevel=INFO", "-o", "NumberOfPasswordPrompts=1", .. OnboardingOptions]);

        Assert.Equal(255, exitCode);
        Assert.Single(askpass.Prompts);
        Assert.Contains($"the authorisation was refused at {Onboarding.Provider}", errors);
        Assert.Contains("Permission denied (keyboard-interactive)", errors);
        var failure = await failures.NextAboutAsync(Onboarding.DenyingUser, Cancellation);
        Assert.Contains($"onboarding: Denied: the authorisation was refused at {Onboarding.Provider}", FailureEvents.Reasons(failure));
    }
}
