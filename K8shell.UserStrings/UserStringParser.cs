using System.Diagnostics.CodeAnalysis;

namespace K8shell.UserStrings;

/// <summary>
/// Parses the SSH user name into a <see cref="UserString"/>, following the Go parser's algorithm
/// (product reference §2.3) step for step, so that both sides agree on forms, errors and canonical IDs.
/// Hostile input is cheap: anything longer than the limit allows is refused before it is decoded.
/// </summary>
public static class UserStringParser
{
    /// <summary>The most characters (Unicode scalar values) a user string may have once base64 is decoded.</summary>
    public const int MaxLength = 128;

    /// <summary>UTF-8 needs at most 4 bytes per character, so no valid text decodes from more bytes than this.</summary>
    private const int MaxUtf8Bytes = MaxLength * 4;

    private static readonly int MaxPayloadLength = Base64UrlText.MaxEncodedLength(MaxUtf8Bytes);

    /// <exception cref="UserStringException">The string is refused; its message tells the user why.</exception>
    public static UserString Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var text = Unwrap(input);
        var tilde = text.IndexOf('~');
        var username = GoText.ToLower(GoText.TrimSpace(tilde < 0 ? text : text[..tilde]));
        if (username.Length == 0)
        {
            throw UserStringException.Malformed("username is required");
        }

        var spec = tilde < 0 ? "" : GoText.TrimSpace(text[(tilde + 1)..]);
        var parsed = spec.Length == 0
            ? new UserString { Username = username, Form = UserStringForm.Implicit, BlueprintKind = BlueprintKind.Implicit }
            : ParseSpec(username, spec.Split('+'));
        parsed = parsed with { Raw = input };
        EnsureCanonicalFits(parsed);
        return parsed;
    }

    /// <summary>Parses without throwing; <paramref name="error"/> carries the message the user should see.</summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out UserString? userString, [NotNullWhen(false)] out UserStringException? error)
    {
        userString = null;
        error = null;
        try
        {
            userString = Parse(input ?? "");
            return true;
        }
        catch (UserStringException refused)
        {
            error = refused;
            return false;
        }
    }

    /// <inheritdoc cref="TryParse(string?, out UserString?, out UserStringException?)"/>
    public static bool TryParse(string? input, [NotNullWhen(true)] out UserString? userString) => TryParse(input, out userString, out _);

    /// <summary>
    /// Steps 1–3: trim, strip <c>b64-</c>/<c>base64-</c> wrappers (repeatedly: a decoded wrapper is decoded
    /// again), then apply the length limit to the decoded text. A payload too long to decode to a valid text
    /// is refused as too long without being decoded.
    /// </summary>
    private static string Unwrap(string input)
    {
        // Spans until the text is known to be small: trimming a megabyte must not copy it.
        var text = GoText.TrimSpace(input.AsSpan());
        while (true)
        {
            if (text.IsEmpty)
            {
                throw UserStringException.Malformed("empty input");
            }

            var prefix = WrapperPrefixLength(text);
            if (prefix == 0)
            {
                break;
            }

            var payload = text[prefix..];
            if (payload.Length > MaxPayloadLength)
            {
                throw UserStringException.TooLong($"the base64 text decodes to more than {MaxLength} characters");
            }

            if (Base64UrlText.TryDecode(payload, out var decoded) is { } error)
            {
                throw UserStringException.Base64Invalid(error);
            }

            text = GoText.TrimSpace(decoded.AsSpan());
        }

        // A character is at most two UTF-16 units, so a longer string has more characters than allowed.
        if (text.Length > 2 * MaxLength)
        {
            throw UserStringException.TooLong($"more than {MaxLength} characters");
        }

        var result = text.ToString();
        var length = GoText.RuneCount(result, out var valid);
        if (length > MaxLength)
        {
            throw UserStringException.TooLong($"{length} characters, at most {MaxLength} are allowed");
        }

        if (!valid)
        {
            throw UserStringException.Malformed("the text is not valid Unicode (a lone surrogate)");
        }

        return result;
    }

    /// <summary>Length of a case-insensitive <c>b64-</c> or <c>base64-</c> prefix, else 0. ASCII only, as Go's ToLower-then-compare is.</summary>
    private static int WrapperPrefixLength(ReadOnlySpan<char> text)
    {
        if (StartsWithAsciiIgnoreCase(text, "b64-"))
        {
            return 4;
        }

        return StartsWithAsciiIgnoreCase(text, "base64-") ? 7 : 0;
    }

    private static bool StartsWithAsciiIgnoreCase(ReadOnlySpan<char> text, string prefix)
    {
        if (text.Length < prefix.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            var c = text[i];
            if ((char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c) != prefix[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Steps 6–8: the part after the <c>~</c>, already trimmed and split on <c>+</c>.</summary>
    private static UserString ParseSpec(string username, string[] segments)
    {
        var first = GoText.TrimSpace(segments[0]);
        if (first.Length == 0)
        {
            throw UserStringException.Malformed("empty workspace segment after '~'");
        }

        return first.Contains('=')
            ? ParseParameterForms(username, ParameterList.Parse(segments))
            : ParseBlueprintForm(username, first, segments.AsSpan(1));
    }

    private static UserString ParseBlueprintForm(string username, string first, ReadOnlySpan<string> rest)
    {
        if (PercentEncoding.TryUnescape(first, out var blueprint) is { } error)
        {
            throw UserStringException.Malformed($"cannot decode the blueprint name: {error}");
        }

        var parameters = ParameterList.Parse(rest);

        if (parameters.FirstKeyOutside(ParameterList.User, ParameterList.Namespace, ParameterList.Workload) is { } key)
        {
            throw UserStringException.Invalid($"parameter {key} is not allowed with a blueprint (only user, workload and ns are)");
        }

        var (kind, name) = Workload(parameters, "workload is required with ns in blueprint form");
        return new UserString
        {
            Username = username,
            Form = UserStringForm.Blueprint,
            BlueprintKind = BlueprintKind.Explicit,
            Blueprint = blueprint,
            AsUser = parameters[ParameterList.User],
            Namespace = parameters[ParameterList.Namespace],
            WorkloadKind = kind,
            WorkloadName = name,
        };
    }

    private static UserString ParseParameterForms(string username, ParameterList parameters)
    {
        if (parameters[ParameterList.Pod] is { } pod)
        {
            if (parameters[ParameterList.Repo] is not null)
            {
                throw UserStringException.Invalid("pod cannot be combined with repo");
            }

            if (parameters[ParameterList.Workload] is not null)
            {
                throw UserStringException.Invalid("pod cannot be combined with workload");
            }

            if (parameters.FirstKeyOutside(ParameterList.User, ParameterList.Pod, ParameterList.Namespace) is { } key)
            {
                throw UserStringException.Invalid($"parameter {key} is not allowed with pod (only user and ns are)");
            }

            return new UserString
            {
                Username = username,
                Form = UserStringForm.Named,
                BlueprintKind = BlueprintKind.Implicit,
                Pod = pod,
                Namespace = parameters[ParameterList.Namespace],
                AsUser = parameters[ParameterList.User],
            };
        }

        return ParseRepoForm(username, parameters);
    }

    private static UserString ParseRepoForm(string username, ParameterList parameters)
    {
        if (parameters.FirstKeyOutside(ParameterList.Repo, ParameterList.Ref, ParameterList.User, ParameterList.Namespace, ParameterList.Workload) is { } key)
        {
            throw UserStringException.Invalid($"parameter {key} is not allowed in repo form (only repo, ref, user, workload and ns are)");
        }

        var repo = parameters[ParameterList.Repo] ?? throw UserStringException.Invalid("repo is required in param-list form");
        var (kind, name) = Workload(parameters, "ns requires workload in repo form");
        var slash = repo.IndexOf('/');
        var owner = slash < 0 ? username : repo[..slash];
        var repoName = slash < 0 ? repo : repo[(slash + 1)..];
        if (GoText.TrimSpace(repoName).Length == 0)
        {
            throw UserStringException.Invalid("repo name is empty");
        }

        // Not in the Go parser, which lets both through and then writes a canonical string that means
        // something else (an empty owner drops the repo from the key; a '/' moves the owner/name split).
        if (GoText.TrimSpace(owner).Length == 0)
        {
            throw UserStringException.Invalid("repo owner is empty (write repo=owner%2Fname, or just the name for your own repo)");
        }

        if (slash < 0 && username.Contains('/'))
        {
            throw UserStringException.Invalid("repo needs an owner (owner%2Fname): the username cannot stand in as one");
        }

        return new UserString
        {
            Username = username,
            Form = UserStringForm.Repo,
            BlueprintKind = BlueprintKind.Custom,
            Blueprint = $"repo-{owner}-{repoName}",
            RepoOwner = owner,
            RepoName = repoName,
            Ref = parameters[ParameterList.Ref],
            AsUser = parameters[ParameterList.User],
            Namespace = parameters[ParameterList.Namespace],
            WorkloadKind = kind,
            WorkloadName = name,
        };
    }

    /// <summary>
    /// <c>workload</c> and <c>ns</c> come together or not at all; the workload is <c>kind/name</c>, split at the
    /// first <c>/</c>. Go accepts a missing kind or name and then loses the workload from the key; we refuse it.
    /// </summary>
    private static (string? Kind, string? Name) Workload(ParameterList parameters, string namespaceWithoutWorkload)
    {
        var workload = parameters[ParameterList.Workload];
        var ns = parameters[ParameterList.Namespace];
        if (workload is not null && ns is null)
        {
            throw UserStringException.Invalid("ns is required with workload");
        }

        if (ns is not null && workload is null)
        {
            throw UserStringException.Invalid(namespaceWithoutWorkload);
        }

        if (workload is null)
        {
            return (null, null);
        }

        var slash = workload.IndexOf('/');
        if (slash <= 0 || slash == workload.Length - 1)
        {
            throw UserStringException.Invalid($"workload must be kind/name, e.g. workload=deployment%2Fapi, got {DisplayText.Quote(workload)}");
        }

        return (workload[..slash], workload[(slash + 1)..]);
    }

    /// <summary>
    /// The canonical string is longer than the input when it escapes what the user wrote raw (<c>/</c> becomes
    /// <c>%2F</c>). The Provisioner parses it again, so it must fit the limit too; Go's Canonicalize fails the
    /// same way, we just say so at parse time.
    /// </summary>
    internal static void EnsureCanonicalFits(UserString userString)
    {
        var length = GoText.RuneCount(userString.Canonical, out _);
        if (length > MaxLength)
        {
            throw UserStringException.TooLong($"its canonical form has {length} characters, at most {MaxLength} are allowed");
        }
    }
}
