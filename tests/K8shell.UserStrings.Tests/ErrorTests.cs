namespace K8shell.UserStrings.Tests;

/// <summary>
/// Every refusal, with its category (the Go sentinel) and the exact message the proxy will print in
/// the auth banner: the user must be able to fix the string from it.
/// </summary>
public sealed class ErrorTests
{
    public static TheoryData<string, UserStringErrorCategory, string> Refusals => new()
    {
        // malformed
        { "", UserStringErrorCategory.Malformed, "malformed user string: empty input" },
        { " \t\n", UserStringErrorCategory.Malformed, "malformed user string: empty input" },
        { "~dev", UserStringErrorCategory.Malformed, "malformed user string: username is required" },
        { "  ~dev", UserStringErrorCategory.Malformed, "malformed user string: username is required" },
        { "alice~+user=root", UserStringErrorCategory.Malformed, "malformed user string: empty workspace segment after '~'" },
        { "alice~dev++user=root", UserStringErrorCategory.Malformed, "malformed user string: empty parameter segment (two '+' in a row, or a '+' at the end?)" },
        { "alice~dev+", UserStringErrorCategory.Malformed, "malformed user string: empty parameter segment (two '+' in a row, or a '+' at the end?)" },
        { "alice~repo=a+", UserStringErrorCategory.Malformed, "malformed user string: empty parameter segment (two '+' in a row, or a '+' at the end?)" },
        { "alice~dev+root", UserStringErrorCategory.Malformed, "malformed user string: expected key=value, got \"root\"" },
        { "alice~repo=a+=b", UserStringErrorCategory.Malformed, "malformed user string: expected key=value, got \"=b\"" },
        { "alice~repo=a=b", UserStringErrorCategory.Malformed, "malformed user string: unescaped '=' in value: \"repo=a=b\" (write it as %3D)" },
        { "alice~dev%zz", UserStringErrorCategory.Malformed, "malformed user string: cannot decode the blueprint name: invalid URL escape \"%zz\"" },
        { "alice~dev%4", UserStringErrorCategory.Malformed, "malformed user string: cannot decode the blueprint name: invalid URL escape \"%4\"" },
        { "alice~dev%", UserStringErrorCategory.Malformed, "malformed user string: cannot decode the blueprint name: invalid URL escape \"%\"" },
        { "alice~repo=a%2", UserStringErrorCategory.Malformed, "malformed user string: cannot decode the value of repo: invalid URL escape \"%2\"" },
        { "alice~repo=%G0a", UserStringErrorCategory.Malformed, "malformed user string: cannot decode the value of repo: invalid URL escape \"%G0\"" },
        { "alice~dev%FF", UserStringErrorCategory.Malformed, "malformed user string: cannot decode the blueprint name: percent escapes that do not decode to UTF-8 text" },
        { "alice~dev\ud800", UserStringErrorCategory.Malformed, "malformed user string: the text is not valid Unicode (a lone surrogate)" },
        // invalid
        { "alice~repo=", UserStringErrorCategory.Invalid, "invalid user string: repo is required in param-list form" },
        { "alice~ref=main", UserStringErrorCategory.Invalid, "invalid user string: repo is required in param-list form" },
        { "alice~user=root", UserStringErrorCategory.Invalid, "invalid user string: repo is required in param-list form" },
        { "alice~target=x", UserStringErrorCategory.Invalid, "invalid user string: unknown parameter \"target\" (known: repo, ref, user, pod, ns, workload)" },
        { "alice~dev+Deploy=x", UserStringErrorCategory.Invalid, "invalid user string: unknown parameter \"deploy\" (known: repo, ref, user, pod, ns, workload)" },
        { "alice~dev+\u001b[31m=x", UserStringErrorCategory.Invalid, "invalid user string: unknown parameter \"\\u{001B}[31m\" (known: repo, ref, user, pod, ns, workload)" },
        { "alice~dev+repo=a", UserStringErrorCategory.Invalid, "invalid user string: parameter repo is not allowed with a blueprint (only user, workload and ns are)" },
        { "alice~dev+pod=ws1", UserStringErrorCategory.Invalid, "invalid user string: parameter pod is not allowed with a blueprint (only user, workload and ns are)" },
        { "alice~dev+ref=", UserStringErrorCategory.Invalid, "invalid user string: parameter ref is not allowed with a blueprint (only user, workload and ns are)" },
        { "alice~dev+workload=deployment%2Fapi", UserStringErrorCategory.Invalid, "invalid user string: ns is required with workload" },
        { "alice~dev+ns=team-a", UserStringErrorCategory.Invalid, "invalid user string: workload is required with ns in blueprint form" },
        { "alice~dev+workload=deployment+ns=a", UserStringErrorCategory.Invalid, "invalid user string: workload must be kind/name, e.g. workload=deployment%2Fapi, got \"deployment\"" },
        { "alice~dev+workload=%2Fapi+ns=a", UserStringErrorCategory.Invalid, "invalid user string: workload must be kind/name, e.g. workload=deployment%2Fapi, got \"/api\"" },
        { "alice~repo=a/b+workload=deployment/+ns=a", UserStringErrorCategory.Invalid, "invalid user string: workload must be kind/name, e.g. workload=deployment%2Fapi, got \"deployment/\"" },
        { "alice~pod=ws1+repo=a", UserStringErrorCategory.Invalid, "invalid user string: pod cannot be combined with repo" },
        { "alice~pod=ws1+workload=deployment%2Fapi+ns=a", UserStringErrorCategory.Invalid, "invalid user string: pod cannot be combined with workload" },
        { "alice~pod=ws1+ref=main", UserStringErrorCategory.Invalid, "invalid user string: parameter ref is not allowed with pod (only user and ns are)" },
        { "alice~pod=ws1+repo=", UserStringErrorCategory.Invalid, "invalid user string: parameter repo is not allowed with pod (only user and ns are)" },
        { "alice~repo=a/b+pod=", UserStringErrorCategory.Invalid, "invalid user string: parameter pod is not allowed in repo form (only repo, ref, user, workload and ns are)" },
        { "alice~ns=team-a", UserStringErrorCategory.Invalid, "invalid user string: repo is required in param-list form" },
        { "alice~repo=a/b+ns=team-a", UserStringErrorCategory.Invalid, "invalid user string: ns requires workload in repo form" },
        { "alice~repo=a/b+workload=deployment/api", UserStringErrorCategory.Invalid, "invalid user string: ns is required with workload" },
        { "alice~repo=org/", UserStringErrorCategory.Invalid, "invalid user string: repo name is empty" },
        { "alice~repo=org/%20", UserStringErrorCategory.Invalid, "invalid user string: repo name is empty" },
        { "alice~repo=/proj", UserStringErrorCategory.Invalid, "invalid user string: repo owner is empty (write repo=owner%2Fname, or just the name for your own repo)" },
        { "a/b~repo=proj", UserStringErrorCategory.Invalid, "invalid user string: repo needs an owner (owner%2Fname): the username cannot stand in as one" },
        // base64
        { "b64-!!!", UserStringErrorCategory.Base64Invalid, "invalid base64 user string: illegal base64url data at input byte 0" },
        { "b64-YWxpY2U=", UserStringErrorCategory.Base64Invalid, "invalid base64 user string: illegal base64url data at input byte 7" },
        { "b64-YWxp Y2U", UserStringErrorCategory.Base64Invalid, "invalid base64 user string: illegal base64url data at input byte 4" },
        { "b64-YWxpY", UserStringErrorCategory.Base64Invalid, "invalid base64 user string: illegal base64url data at input byte 5" },
        { "b64-YWxp+2U", UserStringErrorCategory.Base64Invalid, "invalid base64 user string: illegal base64url data at input byte 4" },
        { "b64-_w", UserStringErrorCategory.Base64Invalid, "invalid base64 user string: the decoded bytes are not UTF-8 text" },
        { "b64-", UserStringErrorCategory.Malformed, "malformed user string: empty input" },
        { "b64-ICAg", UserStringErrorCategory.Malformed, "malformed user string: empty input" },
        // too long
        { new string('a', 129), UserStringErrorCategory.TooLong, "user string too long: 129 characters, at most 128 are allowed" },
        { new string('a', 257), UserStringErrorCategory.TooLong, "user string too long: more than 128 characters" },
        { "b64-" + new string('A', 684), UserStringErrorCategory.TooLong, "user string too long: the base64 text decodes to more than 128 characters" },
        { "alice~repo=" + new string('a', 60) + "/" + new string('b', 56), UserStringErrorCategory.TooLong, "user string too long: its canonical form has 130 characters, at most 128 are allowed" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refused_string_names_its_category_and_tells_the_user_why(string userString, UserStringErrorCategory category, string message)
    {
        var error = Assert.Throws<UserStringException>(() => UserStringParser.Parse(userString));

        Assert.Equal(category, error.Category);
        Assert.Equal(message, error.Message);
        Assert.EndsWith(error.Detail, error.Message);
    }

    [Fact]
    public void The_spec_quotes_this_message_for_the_auth_banner()
    {
        var error = Assert.Throws<UserStringException>(() => UserStringParser.Parse("alice~ref=main+user=root"));

        Assert.Equal("invalid user string: repo is required in param-list form", error.Message);
    }

    [Theory]
    [InlineData("alice~dev+x\u202e=1", "\\u{202E}")]
    [InlineData("alice~dev+x\u0007=1", "\\u{0007}")]
    [InlineData("alice~dev+\"x\\=1", "\\\"x\\\\")]
    [InlineData("alice~dev+x\u00a0y=1", "\\u{00A0}")]
    public void User_input_in_a_message_cannot_drive_the_terminal(string userString, string escaped)
    {
        var error = Assert.Throws<UserStringException>(() => UserStringParser.Parse(userString));

        Assert.Contains(escaped, error.Message);
        Assert.DoesNotContain(error.Message, c => char.IsControl(c) || c is '\u202e' or '\u00a0');
    }
}
