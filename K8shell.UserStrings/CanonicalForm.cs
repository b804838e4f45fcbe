using System.Security.Cryptography;
using System.Text;

namespace K8shell.UserStrings;

/// <summary>
/// The canonical key, ID and user string (product reference §2.4). The key and ID decide pod and Helm
/// release names, so they follow the Go code bit for bit, including its omission of the namespace.
/// </summary>
internal static class CanonicalForm
{
    private const int HashLength = 7;

    /// <summary><c>u=…|r=owner/name|ref=…|bp=…|workload=kind/name</c>, absent parts left out, in that order.</summary>
    public static string Key(UserString userString)
    {
        var key = new StringBuilder("u=").Append(userString.Username);
        if (userString.RepoOwner is { } owner && userString.RepoName is { } name)
        {
            key.Append("|r=").Append(owner).Append('/').Append(name);
        }

        if (userString.Ref is { } gitRef)
        {
            key.Append("|ref=").Append(gitRef);
        }

        if (userString.Blueprint is { } blueprint)
        {
            key.Append("|bp=").Append(blueprint);
        }

        if (userString.WorkloadKind is { } kind)
        {
            key.Append("|workload=").Append(kind).Append('/').Append(userString.WorkloadName);
        }

        // The documentation also lists "|ns=…"; the Go code never copies the namespace into the identity
        // it hashes, and pod names already in clusters come from the code.
        return key.ToString();
    }

    /// <summary>The username, a dash and the first seven lower-case hex digits of SHA-256 over the key's UTF-8 bytes.</summary>
    public static string Id(string username, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return $"{username}-{Convert.ToHexStringLower(hash)[..HashLength]}";
    }

    public static string Render(UserString userString) => userString.Form switch
    {
        UserStringForm.Repo => RenderRepo(userString),
        UserStringForm.Blueprint => RenderBlueprint(userString),
        UserStringForm.Named => RenderNamed(userString),
        _ => userString.Username,
    };

    /// <summary>Repo form: every parameter, sorted by key (<c>ns, ref, repo, user, workload</c>), each value escaped.</summary>
    private static string RenderRepo(UserString userString)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ParameterList.Repo] = $"{userString.RepoOwner}/{userString.RepoName}",
        };
        Add(parameters, ParameterList.Ref, userString.Ref);
        Add(parameters, ParameterList.Workload, Workload(userString));
        Add(parameters, ParameterList.Namespace, userString.WorkloadKind is null ? null : userString.Namespace);
        Add(parameters, ParameterList.User, userString.AsUser);
        return $"{userString.Username}~{string.Join('+', parameters.Select(p => $"{p.Key}={PercentEncoding.Escape(p.Value)}"))}";
    }

    /// <summary>Blueprint form: <c>user~bp[+workload=…+ns=…][+user=…]</c>.</summary>
    private static string RenderBlueprint(UserString userString)
    {
        var text = new StringBuilder(userString.Username).Append('~').Append(PercentEncoding.Escape(userString.Blueprint!));
        if (Workload(userString) is { } workload)
        {
            Append(text, ParameterList.Workload, workload);
            Append(text, ParameterList.Namespace, userString.Namespace);
        }

        Append(text, ParameterList.User, userString.AsUser);
        return text.ToString();
    }

    /// <summary>Named form: <c>user~pod=…[+ns=…][+user=…]</c>.</summary>
    private static string RenderNamed(UserString userString)
    {
        var text = new StringBuilder(userString.Username).Append("~pod=").Append(PercentEncoding.Escape(userString.Pod!));
        Append(text, ParameterList.Namespace, userString.Namespace);
        Append(text, ParameterList.User, userString.AsUser);
        return text.ToString();
    }

    private static string? Workload(UserString userString) =>
        userString.WorkloadKind is { } kind ? $"{kind}/{userString.WorkloadName}" : null;

    private static void Add(SortedDictionary<string, string> parameters, string key, string? value)
    {
        if (value is not null)
        {
            parameters[key] = value;
        }
    }

    private static void Append(StringBuilder text, string key, string? value)
    {
        if (value is not null)
        {
            text.Append('+').Append(key).Append('=').Append(PercentEncoding.Escape(value));
        }
    }
}
