using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Identity.V1;
using K8shell.Identity.Store;
using K8shell.Identity.Users;
using Microsoft.Extensions.Options;

namespace K8shell.Identity.Passwords;

/// <summary>
/// AuthUserPassword: the stored hash decides, never a provider. <see cref="PasswordOptions.MaxFailures"/>
/// wrong passwords in a row lock the user out of password logins (not key logins: guessing must not
/// lock the owner out) for <see cref="PasswordOptions.LockoutDuration"/>; during a lockout the password
/// is not even checked. Unknown users take as long as known ones and are not tracked.
/// </summary>
internal sealed class PasswordLogin(UserDirectory users, PasswordFailures failures, IOptions<PasswordOptions> options, ILogger<PasswordLogin> logger)
{
    public async Task<AuthUserResponse> CheckAsync(string username, string password, CancellationToken cancellationToken)
    {
        var user = await users.FindAsync(username, cancellationToken);
        if (user is null)
        {
            PasswordHashes.SpendAVerification(password);
            return new AuthUserResponse { FailureReason = "unknown user" };
        }
        if (await failures.LockedUntilAsync(username, cancellationToken) is { } lockedUntil)
        {
            return LockedOut(lockedUntil, "locked out after too many wrong passwords");
        }
        var refusal = user switch
        {
            { IsValid: false } => "the account is disabled",
            { Locked: true } => "the account is locked",
            _ when !user.AuthMethods.Contains("password") => "password login is not enabled for this user",
            _ => null,
        };
        if (refusal is not null)
        {
            return new AuthUserResponse { Locked = user.Locked, FailureReason = refusal };
        }
        bool right;
        try
        {
            right = PasswordHashes.Verify(user.PasswordHash!, password);
        }
        catch (FormatException unusable)
        {
            logger.LogError("User {Username} has a password hash that cannot be checked: {Problem}", username, unusable.Message);
            return new AuthUserResponse { FailureReason = "the stored password hash cannot be checked" };
        }
        if (right)
        {
            await failures.ClearAsync(username, cancellationToken);
            return new AuthUserResponse { Valid = true, User = user.ToMessage() };
        }
        var limit = options.Value.MaxFailures;
        return await failures.RecordFailureAsync(username, limit, options.Value.LockoutDuration, cancellationToken) is { } until
            ? LockedOut(until, $"wrong password, the {limit}th in a row: locked out")
            : new AuthUserResponse { FailureReason = "wrong password" };
    }

    private static AuthUserResponse LockedOut(DateTimeOffset until, string reason) =>
        new() { Locked = true, LockedUntil = Timestamp.FromDateTimeOffset(until), FailureReason = $"{reason} until {until:yyyy-MM-dd HH:mm:ss}Z" };
}
