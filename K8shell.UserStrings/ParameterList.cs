namespace K8shell.UserStrings;

/// <summary>
/// The <c>key=value</c> segments after the <c>~</c>: keys lower-cased, values percent-decoded and lower-cased,
/// a repeated key overwriting the earlier value (as the Go parser's map does). Keys are remembered in the
/// order they first appear so that "not allowed" errors name the same key every time.
/// </summary>
internal sealed class ParameterList
{
    public const string Repo = "repo";
    public const string Ref = "ref";
    public const string User = "user";
    public const string Pod = "pod";
    public const string Namespace = "ns";
    public const string Workload = "workload";

    private static readonly string[] KnownKeys = [Repo, Ref, User, Pod, Namespace, Workload];

    private readonly List<string> _keys = [];
    private readonly Dictionary<string, string> _values = [];

    /// <summary>The value of <paramref name="key"/>, or null when it is absent or empty (empty means "not given").</summary>
    public string? this[string key] => _values.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>The first key outside <paramref name="allowed"/>, if any.</summary>
    public string? FirstKeyOutside(params ReadOnlySpan<string> allowed)
    {
        foreach (var key in _keys)
        {
            if (!allowed.Contains(key))
            {
                return key;
            }
        }

        return null;
    }

    public static ParameterList Parse(ReadOnlySpan<string> segments)
    {
        var list = new ParameterList();
        foreach (var segment in segments)
        {
            var part = GoText.TrimSpace(segment);
            if (part.Length == 0)
            {
                throw UserStringException.Malformed("empty parameter segment (two '+' in a row, or a '+' at the end?)");
            }

            var equals = part.IndexOf('=');
            if (equals < 0 || GoText.TrimSpace(part[..equals]).Length == 0)
            {
                throw UserStringException.Malformed($"expected key=value, got {DisplayText.Quote(part)}");
            }

            var rawValue = part[(equals + 1)..];
            if (rawValue.Contains('='))
            {
                throw UserStringException.Malformed($"unescaped '=' in value: {DisplayText.Quote(part)} (write it as %3D)");
            }

            var key = GoText.ToLower(GoText.TrimSpace(part[..equals]));
            if (!KnownKeys.Contains(key))
            {
                throw UserStringException.Invalid($"unknown parameter {DisplayText.Quote(key)} (known: repo, ref, user, pod, ns, workload)");
            }

            if (PercentEncoding.TryUnescape(GoText.TrimSpace(rawValue), out var value) is { } error)
            {
                throw UserStringException.Malformed($"cannot decode the value of {key}: {error}");
            }

            if (!list._values.ContainsKey(key))
            {
                list._keys.Add(key);
            }

            list._values[key] = GoText.ToLower(value);
        }

        return list;
    }
}
