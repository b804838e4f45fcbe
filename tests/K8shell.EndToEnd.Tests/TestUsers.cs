using K8shell.Testing;

namespace K8shell.EndToEnd.Tests;

/// <summary>Identity's second user file in the stack (reference §3.4): users who log in with a password.</summary>
public static class TestUsers
{
    /// <summary>Logs in with <see cref="Password"/>; has no key.</summary>
    public const string PasswordUser = "pat";

    /// <summary>Has a password too: the wrong-password test uses its own user, so its failures never lock out <see cref="PasswordUser"/>.</summary>
    public const string WrongPasswordUser = "quinn";

    public const string Password = "correct horse battery staple";

    /// <summary>The file's text, with a bcrypt hash made by Python's bcrypt (Debian's), as an operator would make it.</summary>
    public static async Task<string> FileAsync(CancellationToken cancellationToken)
    {
        var hash = (await Programs.RunToSuccessAsync("/usr/bin/python3",
            ["-c", "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(10)).decode())", Password],
            cancellationToken: cancellationToken)).Trim();
        return $"""
            users:
              - username: {PasswordUser}
                uid: 2001
                gid: 2001
                auths: [password]
                blueprints: ["*"]
                password: "{hash}"
              - username: {WrongPasswordUser}
                uid: 2002
                gid: 2002
                auths: [password]
                password: "{hash}"
            """;
    }
}
