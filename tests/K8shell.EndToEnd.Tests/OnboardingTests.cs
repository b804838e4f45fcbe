using System.Text.RegularExpressions;
using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>
/// Keyboard-interactive onboarding through the gateway with the real ssh (SPEC.md §2, reference §1.5 step 6): a name
/// Identity does not know but its OAuth provider admits gets one prompt with the address and code of an RFC 8628
/// device flow; the person (an askpass program) authorises it at the provider (<see cref="LocalOAuthServer"/>, the
/// real GitHub being unreachable here) and presses Enter; partial success then asks for the key the provider
/// publishes for them, in the same connection.
/// </summary>
public sealed partial class OnboardingTests(StackFixture stack)
{
    private static readonly string[] OnboardingOptions = ["-o", "PreferredAuthentications=keyboard-interactive,publickey"];

    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_user_authorises_the_device_then_logs_in_with_their_provider_key_in_a_new_workspace()
    {
        // They press Enter once before authorising (too early), then authorise and press Enter again.
        using var askpass = Askpass.Onboarding(Onboarding.NewUser, decideOnCall: 2);

        var (exitCode, output, errors) = await _gateway.InteractiveSshAsync(askpass, "echo \"$K8SHELL_WORKSPACE\"", Onboarding.NewUser, stack.NewUserKeyFile,
            ["-v", .. OnboardingOptions]);

        Assert.True(exitCode == 0, errors + askpass.BrowserLog);
        Assert.StartsWith($"{Onboarding.NewUser}-", output);
        Assert.Equal(2, askpass.Prompts.Count);
        var first = askpass.Prompts[0];
        Assert.Contains($"Onboarding {Onboarding.NewUser} through {Onboarding.Provider}.", first);
        Assert.Contains($"Open {stack.OAuth.Address}/login/device and enter the code", first);
        var code = UserCode().Match(first).Value;
        Assert.NotEmpty(code);
        // Asked again, the prompt shows the code the person may be typing in at that moment, not a new one.
        Assert.Contains($"enter the code {code} ", askpass.Prompts[1]);
        Assert.Contains("The device is not authorised yet; press Enter once you have.", errors);
        Assert.Contains("Authenticated using \"keyboard-interactive\" with partial success.", errors);
        Assert.Contains($"Welcome, {Onboarding.NewUser}. Now log in with your SSH key.", errors);
        Assert.Contains("using \"publickey\"", errors);

        // Later logins use the key only, and reach the same workspace.
        var again = await Programs.RunAsync("ssh", [.. _gateway.Options(keyFile: stack.NewUserKeyFile), _gateway.Destination(Onboarding.NewUser),
            "echo \"$K8SHELL_WORKSPACE\""], cancellationToken: Cancellation);
        Assert.True(again.ExitCode == 0, again.Errors);
        Assert.Equal(output, again.Output);
    }

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

    [Fact]
    public async Task A_user_without_a_key_at_the_provider_is_told_to_add_one()
    {
        using var askpass = Askpass.Onboarding(Onboarding.KeylessUser);
        await using var failures = await FailureEvents.SubscribeAsync(stack, Cancellation);

        var (exitCode, _, errors) = await _gateway.InteractiveSshAsync(askpass, "true", Onboarding.KeylessUser, stack.NewUserKeyFile,
            ["-o", "LogLevel=INFO", "-o", "NumberOfPasswordPrompts=1", .. OnboardingOptions]);

        Assert.Equal(255, exitCode);
        Assert.Contains($"Welcome, {Onboarding.KeylessUser}. {Onboarding.Provider} has no SSH key of yours: add one there, then connect again.", errors);
        var failure = await failures.NextAboutAsync(Onboarding.KeylessUser, Cancellation);
        Assert.Contains($"onboarding: {Onboarding.KeylessUser} has no SSH key at {Onboarding.Provider}", FailureEvents.Reasons(failure));
    }

    [GeneratedRegex("[0-9A-F]{4}-[0-9A-F]{4}")]
    private static partial Regex UserCode();
}
