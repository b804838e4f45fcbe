namespace K8shell.Identity.Passwords;

/// <summary>Password lockout (section <c>Identity:Passwords</c>); reference §3.10 <c>passwordLockout</c>.</summary>
public sealed class PasswordOptions
{
    public const string Section = "Identity:Passwords";

    /// <summary>Wrong passwords in a row that lock the user out.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>How long a lockout lasts.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
}
