namespace K8shell.UserStrings.Tests;

/// <summary>
/// Random but valid field sets for the property tests, with the delimiters, escapes and non-ASCII text
/// that make escaping matter. Also computes what the parser must read back from them.
/// </summary>
internal sealed class UserStringGenerator(Random random)
{
    private const string Safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";

    private static readonly string[] Tricky =
        ["/", "+", "=", "@", "~", "%", " ", "|", ":", "&", "$", "?", "#", ";", ",", "\"", "'", "é", "ß", "Σ", "日", "😀", "\u00a0", "\u200b", "%2F", "%zz", "b64-", "\t"];

    public UserStringBuilder Next()
    {
        var username = Username();
        return random.Next(4) switch
        {
            0 => new UserStringBuilder { Username = username },
            1 => WithWorkload(new UserStringBuilder { Username = username, Blueprint = Value(slash: true, keepCase: true), AsUser = Maybe(() => Value(slash: true)) }),
            2 => new UserStringBuilder
            {
                Username = username,
                Pod = Value(slash: true),
                Namespace = Maybe(() => Value(slash: true)),
                AsUser = Maybe(() => Value(slash: true)),
            },
            _ => WithWorkload(new UserStringBuilder
            {
                Username = username,
                RepoOwner = Maybe(() => Value(slash: false), 0.7),
                RepoName = Value(slash: true),
                Ref = Maybe(() => Value(slash: true)),
                AsUser = Maybe(() => Value(slash: true)),
            }),
        };
    }

    /// <summary>What parsing the built string must give, in <see cref="Describe"/>'s format. Lost on the way: surrounding white space and the case of everything but the blueprint.</summary>
    public static string Expected(UserStringBuilder fields)
    {
        var username = Lower(fields.Username)!;
        var owner = Lower(fields.RepoOwner) ?? username;
        var repo = Lower(fields.RepoName);
        var common = (ns: Lower(fields.Namespace), kind: Lower(fields.WorkloadKind), workload: Lower(fields.WorkloadName), user: Lower(fields.AsUser));
        if (repo is not null)
        {
            return Describe.Fields(username, UserStringForm.Repo, BlueprintKind.Custom, $"repo-{owner}-{repo}", owner, repo, Lower(fields.Ref),
                null, common.ns, common.kind, common.workload, common.user);
        }

        if (fields.Blueprint is not null)
        {
            return Describe.Fields(username, UserStringForm.Blueprint, BlueprintKind.Explicit, fields.Blueprint.Trim(), null, null, null,
                null, common.ns, common.kind, common.workload, common.user);
        }

        return fields.Pod is not null
            ? Describe.Fields(username, UserStringForm.Named, BlueprintKind.Implicit, null, null, null, null, Lower(fields.Pod), common.ns, null, null, common.user)
            : Describe.Fields(username, UserStringForm.Implicit, BlueprintKind.Implicit, null, null, null, null, null, null, null, null, null);
    }

    private static string? Lower(string? value) => value?.Trim().ToLowerInvariant();

    private UserStringBuilder WithWorkload(UserStringBuilder fields) => random.Next(2) == 0
        ? fields
        : fields with { WorkloadKind = Value(slash: false), WorkloadName = Value(slash: true), Namespace = Value(slash: true) };

    private string Username()
    {
        while (true)
        {
            var name = new string([.. Enumerable.Range(0, random.Next(1, 11)).Select(_ => Safe[random.Next(Safe.Length)])]);
            var lower = name.ToLowerInvariant();
            if (!lower.StartsWith("b64-", StringComparison.Ordinal) && !lower.StartsWith("base64-", StringComparison.Ordinal))
            {
                return name;
            }
        }
    }

    /// <summary>One to five pieces, safe ones at both ends so trimming leaves the value intact.</summary>
    private string Value(bool slash, bool keepCase = false)
    {
        var count = random.Next(1, 6);
        var pieces = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var tricky = i > 0 && i < count - 1 && random.Next(3) == 0;
            var piece = tricky ? Tricky[random.Next(Tricky.Length)] : Safe[random.Next(Safe.Length)].ToString();
            pieces.Add(slash ? piece : piece.Replace('/', '_'));
        }

        var value = string.Concat(pieces);
        return keepCase ? value : random.Next(4) == 0 ? value.ToUpperInvariant() : value;
    }

    private string? Maybe(Func<string> value, double probability = 0.5) => random.NextDouble() < probability ? value() : null;
}
