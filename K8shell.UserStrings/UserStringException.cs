namespace K8shell.UserStrings;

/// <summary>
/// A user string was refused. <see cref="Exception.Message"/> is written for the person at the
/// terminal (the proxy prints it in the SSH auth banner): user input in it is quoted with control
/// characters escaped, so it is safe to show.
/// </summary>
public sealed class UserStringException : Exception
{
    public UserStringException(UserStringErrorCategory category, string detail)
        : base($"{Prefix(category)}: {detail}")
    {
        Category = category;
        Detail = detail;
    }

    /// <summary>Which Go sentinel this corresponds to; the proxy treats every category as "cannot authenticate".</summary>
    public UserStringErrorCategory Category { get; }

    /// <summary>The message without its category prefix, for callers that word the category themselves.</summary>
    public string Detail { get; }

    private static string Prefix(UserStringErrorCategory category) => category switch
    {
        UserStringErrorCategory.TooLong => "user string too long",
        UserStringErrorCategory.Base64Invalid => "invalid base64 user string",
        UserStringErrorCategory.Malformed => "malformed user string",
        _ => "invalid user string",
    };

    internal static UserStringException TooLong(string detail) => new(UserStringErrorCategory.TooLong, detail);

    internal static UserStringException Base64Invalid(string detail) => new(UserStringErrorCategory.Base64Invalid, detail);

    internal static UserStringException Malformed(string detail) => new(UserStringErrorCategory.Malformed, detail);

    internal static UserStringException Invalid(string detail) => new(UserStringErrorCategory.Invalid, detail);
}
