using System.Text.RegularExpressions;

namespace K8shell.SshProxy.Authorization;

/// <summary>
/// One value a rule accepts: exact text, or a glob where <c>*</c> is any run of characters and <c>?</c> one
/// character (<c>ssh:*</c>, <c>10.*</c>). <c>$subject</c> stands for the asking user's name, so one rule can say
/// "the owner is the user" (<c>owner: $subject</c>) or "as themselves" (<c>as_user: $subject</c>).
/// </summary>
internal sealed class PolicyPattern
{
    public const string SubjectVariable = "$subject";

    private readonly Regex? _glob;

    public PolicyPattern(string text)
    {
        Text = text;
        if (text != SubjectVariable && text.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            var expression = Regex.Escape(text).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal);
            _glob = new Regex($"^{expression}$", RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }
    }

    /// <summary>As written in the rule.</summary>
    public string Text { get; }

    public bool Matches(string value, PolicySubject subject) =>
        Text == SubjectVariable ? value == subject.Username
        : _glob is null ? value == Text
        : _glob.IsMatch(value);

    public override string ToString() => Text;
}

/// <summary>Helpers over a rule's "any of these" lists, where an empty list means the rule does not look.</summary>
internal static class PolicyPatterns
{
    public static bool AnyMatches(this IReadOnlyList<PolicyPattern> patterns, string value, PolicySubject subject) =>
        patterns.Count == 0 || patterns.Any(pattern => pattern.Matches(value, subject));

    public static bool AnyMatchesOneOf(this IReadOnlyList<PolicyPattern> patterns, IEnumerable<string> values, PolicySubject subject) =>
        patterns.Count == 0 || values.Any(value => patterns.Any(pattern => pattern.Matches(value, subject)));
}
