using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The few checks the emulator makes on what it stores: names, label keys and values, config map and
/// secret keys. They are the ones generated names (canonical IDs, file paths) trip over on a real
/// cluster; everything else in a schema goes unchecked (see the README).
/// </summary>
internal static partial class ObjectValidation
{
    public static void Check(ResourceKind kind, JsonObject obj)
    {
        var name = obj.Name() ?? "";
        var nameProblem = kind == ResourceKind.Services ? Rfc1035Label(name)
            : kind == ResourceKind.Namespaces ? Rfc1123Label(name)
            : Rfc1123Subdomain(name);
        if (nameProblem is not null)
        {
            throw ApiException.Invalid(kind, name, "metadata.name", $"Invalid value: \"{name}\": {nameProblem}");
        }
        foreach (var (key, value) in obj.Labels() ?? [])
        {
            var problem = LabelKey(key) ?? LabelValue(value is JsonValue text ? text.ToString() : "");
            if (problem is not null)
            {
                throw ApiException.Invalid(kind, name, $"metadata.labels", $"Invalid value: \"{key}\": {problem}");
            }
        }
        if (kind == ResourceKind.ConfigMaps || kind == ResourceKind.Secrets)
        {
            foreach (var field in new[] { "data", "binaryData", "stringData" })
            {
                foreach (var (key, _) in obj[field] as JsonObject ?? [])
                {
                    if (key.Length is 0 or > 253 || !DataKeyPattern().IsMatch(key))
                    {
                        throw ApiException.Invalid(kind, name, $"{field}[{key}]", $"Invalid value: \"{key}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (regex used for validation is '[-._a-zA-Z0-9]+')");
                    }
                }
            }
        }
    }

    private static string? Rfc1123Subdomain(string name) =>
        name.Length is > 0 and <= 253 && SubdomainPattern().IsMatch(name) ? null
            : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    private static string? Rfc1123Label(string name) =>
        name.Length is > 0 and <= 63 && Rfc1123LabelPattern().IsMatch(name) ? null
            : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (at most 63 characters)";

    private static string? Rfc1035Label(string name) =>
        name.Length is > 0 and <= 63 && Rfc1035LabelPattern().IsMatch(name) ? null
            : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (at most 63 characters)";

    private static string? LabelKey(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash >= 0 && Rfc1123Subdomain(key[..slash]) is { } prefixProblem)
        {
            return "prefix part " + prefixProblem;
        }
        var name = key[(slash + 1)..];
        return name.Length is > 0 and <= 63 && QualifiedNamePattern().IsMatch(name) ? null
            : "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)";
    }

    private static string? LabelValue(string value) =>
        value.Length == 0 || (value.Length <= 63 && QualifiedNamePattern().IsMatch(value)) ? null
            : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Rfc1123LabelPattern();

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Rfc1035LabelPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedNamePattern();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+$")]
    private static partial Regex DataKeyPattern();
}
