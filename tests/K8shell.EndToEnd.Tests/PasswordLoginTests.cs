namespace K8shell.EndToEnd.Tests;

/// <summary>
/// Password logins through the gateway with the real ssh (SPEC.md §2, §8): only for users who have a password in
/// Identity's user file, checked by Identity against its bcrypt hash; the password comes from an askpass program.
/// </summary>
public sealed class PasswordLoginTests(StackFixture stack)
{
    private readonly Gateway _gateway = new(stack);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_user_with_a_password_logs_in_with_it_and_runs_a_command_in_their_workspace()
    {
        using var askpass = Askpass.Answering(TestUsers.Password);

        var (exitCode, output, errors) = await _gateway.InteractiveSshAsync(askpass, "echo \"$K8SHELL_WORKSPACE\"", TestUsers.PasswordUser, null,
            "-o", "PreferredAuthentications=password");

        Assert.True(exitCode == 0, errors);
        Assert.StartsWith($"{TestUsers.PasswordUser}-", output);
        Assert.Contains(askpass.Prompts, prompt => prompt.Contains("password", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_wrong_password_is_denied_and_published_as_a_failed_login()
    {
        using var askpass = Askpass.Answering("Correct horse battery staple");
        await using var failures = await FailureEvents.SubscribeAsync(stack, Cancellation);

        var (exitCode, _, errors) = await _gateway.InteractiveSshAsync(askpass, "true", TestUsers.WrongPasswordUser, null,
            "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1");

        Assert.Equal(255, exitCode);
        Assert.Contains("Permission denied (password)", errors);
        var failure = await failures.NextAboutAsync(TestUsers.WrongPasswordUser, Cancellation);
        Assert.Contains("password: wrong password", FailureEvents.Reasons(failure));
        Assert.DoesNotContain("horse", failure.GetRawText());
    }

    [Fact]
    public async Task A_user_without_a_password_is_not_offered_password()
    {
        using var askpass = Askpass.Answering("anything");

        // The developer has keys and no password: the gateway's list of methods has only publickey, so ssh never asks.
        var (exitCode, _, errors) = await _gateway.InteractiveSshAsync(askpass, "true", stack.User, null, "-o", "PreferredAuthentications=password");

        Assert.Equal(255, exitCode);
        Assert.Contains("Permission denied (publickey)", errors);
        Assert.Empty(askpass.Prompts);
    }
}
