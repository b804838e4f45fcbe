using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The <c>labelSelector</c> query syntax: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (b,c)</c>,
/// <c>a notin (b,c)</c>, <c>a</c> (exists), <c>!a</c> (does not exist); requirements joined by commas
/// all have to hold. As on the real server, <c>!=</c> and <c>notin</c> also match objects without the label.
/// </summary>
internal sealed class LabelSelector
{
    private readonly IReadOnlyList<Requirement> _requirements;

    private LabelSelector(IReadOnlyList<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    private enum Operator { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }

    private sealed record Requirement(string Key, Operator Operator, IReadOnlySet<string> Values);

    public bool Matches(JsonObject obj)
    {
        var labels = obj.Labels();
        return _requirements.All(requirement => Holds(requirement, labels?[requirement.Key] is JsonValue value ? value.ToString() : null));
    }

    private static bool Holds(Requirement requirement, string? value) => requirement.Operator switch
    {
        Operator.Equals or Operator.In => value is not null && requirement.Values.Contains(value),
        Operator.NotEquals or Operator.NotIn => value is null || !requirement.Values.Contains(value),
        Operator.Exists => value is not null,
        _ => value is null,
    };

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var reader = new Reader(text);
        var requirements = new List<Requirement>();
        while (true)
        {
            requirements.Add(ReadRequirement(ref reader));
            reader.SkipSpaces();
            if (reader.AtEnd)
            {
                return new LabelSelector(requirements);
            }
            reader.Expect(',');
        }
    }

    private static Requirement ReadRequirement(ref Reader reader)
    {
        reader.SkipSpaces();
        if (reader.TryTake('!'))
        {
            return new Requirement(reader.Word(required: true), Operator.DoesNotExist, new HashSet<string>());
        }
        var key = reader.Word(required: true);
        reader.SkipSpaces();
        if (reader.AtEnd || reader.Peek == ',')
        {
            return new Requirement(key, Operator.Exists, new HashSet<string>());
        }
        if (reader.TryTake('='))
        {
            reader.TryTake('=');
            return new Requirement(key, Operator.Equals, new HashSet<string> { reader.Word(required: false) });
        }
        if (reader.TryTake('!'))
        {
            reader.Expect('=');
            return new Requirement(key, Operator.NotEquals, new HashSet<string> { reader.Word(required: false) });
        }
        var word = reader.Word(required: true);
        var op = word switch
        {
            "in" => Operator.In,
            "notin" => Operator.NotIn,
            _ => throw reader.Error($"unknown operator \"{word}\""),
        };
        reader.SkipSpaces();
        reader.Expect('(');
        var values = new HashSet<string>();
        do
        {
            values.Add(reader.Word(required: false));
            reader.SkipSpaces();
        }
        while (reader.TryTake(','));
        reader.Expect(')');
        return new Requirement(key, op, values);
    }

    /// <summary>A cursor over the selector text; errors read like the API server's.</summary>
    private ref struct Reader(string text)
    {
        private int _position;

        public readonly bool AtEnd => _position >= text.Length;

        public readonly char Peek => text[_position];

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(Peek))
            {
                _position++;
            }
        }

        public bool TryTake(char c)
        {
            SkipSpaces();
            if (!AtEnd && Peek == c)
            {
                _position++;
                return true;
            }
            return false;
        }

        public void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw Error($"expected '{c}'");
            }
        }

        public string Word(bool required)
        {
            SkipSpaces();
            var start = _position;
            while (!AtEnd && !char.IsWhiteSpace(Peek) && Peek is not (',' or '=' or '!' or '(' or ')'))
            {
                _position++;
            }
            if (required && _position == start)
            {
                throw Error("expected a label key");
            }
            return text[start.._position];
        }

        public readonly ApiException Error(string problem) =>
            ApiException.BadRequest($"unable to parse requirement: {problem} at position {_position} of \"{text}\"");
    }
}
