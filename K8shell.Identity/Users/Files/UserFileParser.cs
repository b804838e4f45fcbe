using K8shell.ServiceDefaults.Configuration;
using YamlDotNet.RepresentationModel;

namespace K8shell.Identity.Users.Files;

/// <summary>
/// Reads one user file (reference §3.4): <c>users:</c>, a list of users with username, uid, gid,
/// fullname, email, shell, sudo, locked, isValid, roles, blueprints, organization, auths, authKeys and
/// password. <c>!file PATH</c> (relative to the file) may stand for authKeys (one key per line, blank
/// lines and # comments skipped) and password, nowhere else. Errors name the file, line and field.
/// </summary>
public static class UserFileParser
{
    public const string Source = "idp.k8shell.io/file";

    private const string FileTag = "!file";

    public static IReadOnlyList<UserRecord> Parse(string path) => [.. YamlListFile.Load(path, "users").Select(user => ParseUser(path, user))];

    private static UserRecord ParseUser(string path, YamlNode node)
    {
        if (node is not YamlMappingNode user)
        {
            throw Error(path, node, "user", "expected a mapping of fields");
        }
        var fields = user.Children.ToDictionary(pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => pair.Value);
        foreach (var (name, value) in fields)
        {
            if (!KnownFields.Contains(name))
            {
                throw Error(path, value, name, "unknown field");
            }
            if (value is YamlScalarNode { Tag.IsEmpty: false } tagged && (tagged.Tag.Value != FileTag || name is not ("password" or "authKeys")))
            {
                throw Error(path, value, name, $"the tag {tagged.Tag.Value} is not allowed here (!file is, on password and authKeys)");
            }
        }
        var username = Text(path, fields, "username") is { Length: > 0 } given ? given : throw Error(path, node, "username", "required");
        if (!username.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || username.Length > 32)
        {
            throw Error(path, fields["username"], "username", $"\"{username}\" is not a valid user name (letters, digits, - _ ., up to 32)");
        }
        return new UserRecord
        {
            Username = username,
            Uid = Id(path, fields, "uid"),
            Gid = Id(path, fields, "gid"),
            Fullname = Text(path, fields, "fullname") ?? username,
            Email = Text(path, fields, "email") ?? "",
            Shell = Text(path, fields, "shell") ?? "",
            Organization = Text(path, fields, "organization") ?? "",
            Sudo = Flag(path, fields, "sudo", false),
            Locked = Flag(path, fields, "locked", false),
            IsValid = Flag(path, fields, "isValid", true),
            Roles = List(path, fields, "roles"),
            Blueprints = List(path, fields, "blueprints"),
            Auths = List(path, fields, "auths") is { Count: > 0 } auths ? Methods(path, fields["auths"], auths) : ["publickey"],
            AuthorizedKeys = Keys(path, fields),
            PasswordHash = fields.TryGetValue("password", out var password) ? Scalar(path, password, "password") : null,
            Source = Source,
        };
    }

    private static readonly HashSet<string> KnownFields =
        ["username", "isValid", "uid", "gid", "fullname", "email", "locked", "blueprints", "sudo", "shell", "auths", "roles", "organization", "authKeys", "password"];

    private static IReadOnlyList<string> Methods(string path, YamlNode node, IReadOnlyList<string> auths) =>
        auths.FirstOrDefault(method => method is not ("publickey" or "password")) is { } unknown
            ? throw Error(path, node, "auths", $"unknown method \"{unknown}\" (publickey, password)")
            : auths;

    private static IReadOnlyList<AuthorizedKey> Keys(string path, Dictionary<string, YamlNode> fields)
    {
        if (!fields.TryGetValue("authKeys", out var node))
        {
            return [];
        }
        var entries = node switch
        {
            YamlScalarNode { Tag.IsEmpty: false } file => [(file, ReadTagged(path, file, "authKeys"))],
            YamlSequenceNode list => list.Children.Select(item => item is YamlScalarNode scalar
                ? (scalar, scalar.Tag.IsEmpty ? scalar.Value ?? "" : ReadTagged(path, scalar, "authKeys"))
                : throw Error(path, item, "authKeys", "expected key lines")).ToList(),
            _ => throw Error(path, node, "authKeys", "expected a list of authorized_keys lines or !file PATH"),
        };
        var keys = new List<AuthorizedKey>();
        foreach (var (origin, text) in entries)
        {
            foreach (var line in text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')))
            {
                try
                {
                    keys.Add(AuthorizedKey.Parse(line));
                }
                catch (FormatException malformed)
                {
                    throw Error(path, origin, "authKeys", malformed.Message);
                }
            }
        }
        return keys;
    }

    private static string Scalar(string path, YamlNode node, string field) => node is YamlScalarNode scalar
        ? scalar.Tag.IsEmpty ? scalar.Value ?? "" : ReadTagged(path, scalar, field).Trim()
        : throw Error(path, node, field, "expected a single value");

    /// <summary>The contents of the file a !file scalar names, relative to the user file.</summary>
    private static string ReadTagged(string path, YamlScalarNode node, string field)
    {
        var target = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, node.Value ?? "");
        try
        {
            return File.ReadAllText(target);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw Error(path, node, field, $"!file {node.Value}: {failure.Message}");
        }
    }

    private static string? Text(string path, Dictionary<string, YamlNode> fields, string field) =>
        fields.TryGetValue(field, out var node) ? Scalar(path, node, field) : null;

    private static uint Id(string path, Dictionary<string, YamlNode> fields, string field) =>
        fields.TryGetValue(field, out var node) && uint.TryParse(Scalar(path, node, field), out var id) && id > 0
            ? id
            : throw Error(path, fields.GetValueOrDefault(field) ?? fields["username"], field, "required, a number of at least 1");

    private static bool Flag(string path, Dictionary<string, YamlNode> fields, string field, bool fallback) =>
        !fields.TryGetValue(field, out var node) ? fallback
        : bool.TryParse(Scalar(path, node, field), out var value) ? value
        : throw Error(path, node, field, "expected true or false");

    private static IReadOnlyList<string> List(string path, Dictionary<string, YamlNode> fields, string field) =>
        !fields.TryGetValue(field, out var node) ? []
        : node is YamlSequenceNode list ? [.. list.Children.Select(item => Scalar(path, item, field))]
        : throw Error(path, node, field, "expected a list");

    private static FormatException Error(string path, YamlNode node, string field, string message) =>
        new($"{path}:{node.Start.Line}: {field}: {message}");
}
