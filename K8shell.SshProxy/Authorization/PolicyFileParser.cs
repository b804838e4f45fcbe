using K8shell.ServiceDefaults.Configuration;
using YamlDotNet.RepresentationModel;

namespace K8shell.SshProxy.Authorization;

/// <summary>
/// Reads a rules file (README.md beside this file, policy.sample.yaml): <c>default</c> and <c>rules</c>, each
/// rule with <c>name</c>, <c>action</c>, <c>subject</c> (roles, usernames, organization, sudo), <c>resource</c>
/// (owner, blueprint), <c>context</c>, <c>effect</c>, <c>reason</c>, <c>obligations</c>. Strict: an unknown key
/// or a value of the wrong shape is a <see cref="FormatException"/> naming the file, line and field, because a
/// misspelt matcher would otherwise silently match everyone.
/// </summary>
internal static class PolicyFileParser
{
    private static readonly string[] TopLevelKeys = ["default", "rules"];
    private static readonly string[] RuleKeys = ["name", "action", "subject", "resource", "context", "effect", "reason", "obligations"];
    private static readonly string[] SubjectKeys = ["roles", "usernames", "organization", "sudo"];
    private static readonly string[] ResourceKeys = ["owner", "blueprint"];
    private static readonly string[] RecordTokens = ["shell", "exec", "sftp", "direct-tcpip"];

    public static PolicyRuleSet Parse(string path)
    {
        var root = YamlFile.Root(path);
        if (root is null or YamlScalarNode { Value: null or "" })
        {
            return new PolicyRuleSet([], PolicyEffect.Deny);
        }
        var file = new Fields(path, root, "file", TopLevelKeys);
        var rules = file.Node("rules") switch
        {
            null => [],
            YamlSequenceNode list => list.Children.Select((rule, index) => ParseRule(path, rule, $"rules[{index + 1}]")).ToList(),
            var other => throw Error(path, other, "rules", "expected a list of rules"),
        };
        var fallback = file.Scalar("default") is { } given ? Effect(path, file.Node("default")!, "default", given) : PolicyEffect.Deny;
        return new PolicyRuleSet(rules, fallback);
    }

    private static PolicyRule ParseRule(string path, YamlNode node, string field)
    {
        var rule = new Fields(path, node, field, RuleKeys);
        var subject = rule.Node("subject") is { } subjectNode ? new Fields(path, subjectNode, $"{field}.subject", SubjectKeys) : null;
        var resource = rule.Node("resource") is { } resourceNode ? new Fields(path, resourceNode, $"{field}.resource", ResourceKeys) : null;
        var effect = rule.Scalar("effect") is { } given
            ? Effect(path, rule.Node("effect")!, $"{field}.effect", given)
            : throw Error(path, node, $"{field}.effect", "required: allow or deny");
        var obligations = rule.Node("obligations") is { } obligationsNode ? Obligations(path, obligationsNode, $"{field}.obligations") : new Dictionary<string, string>();
        if (obligations.Count > 0 && effect == PolicyEffect.Deny)
        {
            throw Error(path, rule.Node("obligations")!, $"{field}.obligations", "only an allow rule has obligations");
        }
        return new PolicyRule
        {
            Line = (int)node.Start.Line,
            Name = rule.Scalar("name"),
            Actions = rule.Patterns("action"),
            Roles = subject?.Patterns("roles") ?? [],
            Usernames = subject?.Patterns("usernames") ?? [],
            Organizations = subject?.Patterns("organization") ?? [],
            Sudo = subject?.Scalar("sudo") is { } sudo
                ? bool.TryParse(sudo, out var flag) ? flag : throw Error(path, subject.Node("sudo")!, $"{field}.subject.sudo", "expected true or false")
                : null,
            Owners = resource?.Patterns("owner") ?? [],
            Blueprints = resource?.Patterns("blueprint") ?? [],
            Context = rule.Node("context") is { } context ? ContextPatterns(path, context, $"{field}.context") : new Dictionary<string, IReadOnlyList<PolicyPattern>>(),
            Effect = effect,
            Reason = rule.Scalar("reason") ?? "",
            Obligations = obligations,
        };
    }

    private static PolicyEffect Effect(string path, YamlNode node, string field, string text) => text switch
    {
        "allow" => PolicyEffect.Allow,
        "deny" => PolicyEffect.Deny,
        _ => throw Error(path, node, field, $"\"{text}\" is not an effect (allow or deny)"),
    };

    /// <summary>Any context key may be matched: the contracts add keys, and a key never given just reads as empty.</summary>
    private static Dictionary<string, IReadOnlyList<PolicyPattern>> ContextPatterns(string path, YamlNode node, string field)
    {
        var context = new Fields(path, node, field, null);
        return context.Keys.ToDictionary(key => key, key => context.Patterns(key));
    }

    private static Dictionary<string, string> Obligations(string path, YamlNode node, string field)
    {
        var fields = new Fields(path, node, field, null);
        var obligations = fields.Keys.ToDictionary(key => key, key => fields.Scalar(key)!);
        if (obligations.TryGetValue(PolicyDecision.RecordObligation, out var record) && record != "none"
            && record.Split(',', StringSplitOptions.TrimEntries).FirstOrDefault(token => !RecordTokens.Contains(token)) is { } unknown)
        {
            throw Error(path, fields.Node(PolicyDecision.RecordObligation)!, $"{field}.record",
                $"\"{unknown}\" is not a channel kind (none, or a comma list of {string.Join(", ", RecordTokens)})");
        }
        return obligations;
    }

    internal static FormatException Error(string path, YamlNode node, string field, string message) =>
        new($"{path}:{node.Start.Line}: {field}: {message}");

    /// <summary>A mapping's fields, checked against the keys it may have (null: any key).</summary>
    private sealed class Fields
    {
        private readonly string _path;
        private readonly string _field;
        private readonly Dictionary<string, YamlNode> _values = [];

        public Fields(string path, YamlNode node, string field, string[]? known)
        {
            _path = path;
            _field = field;
            if (node is not YamlMappingNode mapping)
            {
                throw Error(path, node, field, known is null ? "expected a mapping" : $"expected a mapping of {string.Join(", ", known)}");
            }
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? throw Error(path, keyNode, field, "expected a plain key");
                if (known is not null && !known.Contains(key))
                {
                    throw Error(path, keyNode, $"{field}.{key}", $"unknown key (known: {string.Join(", ", known)})");
                }
                _values[key] = value;
            }
        }

        public IEnumerable<string> Keys => _values.Keys;

        public YamlNode? Node(string key) => _values.GetValueOrDefault(key);

        public string? Scalar(string key) => _values.TryGetValue(key, out var node)
            ? node is YamlScalarNode scalar ? scalar.Value ?? "" : throw Error(_path, node, $"{_field}.{key}", "expected a single value")
            : null;

        /// <summary>One value or a list of values, any of which may match.</summary>
        public IReadOnlyList<PolicyPattern> Patterns(string key) => _values.TryGetValue(key, out var node) ? node switch
        {
            YamlScalarNode scalar => [new PolicyPattern(scalar.Value ?? "")],
            YamlSequenceNode list => [.. list.Children.Select(item => item is YamlScalarNode scalar
                ? new PolicyPattern(scalar.Value ?? "")
                : throw Error(_path, item, $"{_field}.{key}", "expected a value or a list of values"))],
            _ => throw Error(_path, node, $"{_field}.{key}", "expected a value or a list of values"),
        }
        : [];
    }
}
