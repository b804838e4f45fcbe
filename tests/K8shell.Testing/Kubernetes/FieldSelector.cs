using System.Text.Json.Nodes;

namespace K8shell.Testing.Kubernetes;

/// <summary>
/// The <c>fieldSelector</c> query syntax (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, comma-joined) over the
/// fields the real server indexes for each kind; any other field is refused as it refuses it, so code
/// that works here does not meet "field label not supported" on a cluster.
/// </summary>
internal sealed class FieldSelector
{
    private static readonly string[] Common = ["metadata.name", "metadata.namespace"];

    private static readonly Dictionary<ResourceKind, string[]> Supported = new()
    {
        [ResourceKind.Pods] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
        [ResourceKind.Events] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        [ResourceKind.Secrets] = ["type"],
        [ResourceKind.Namespaces] = ["status.phase"],
    };

    private readonly IReadOnlyList<(string[] Path, bool Equal, string Value)> _requirements;

    private FieldSelector(IReadOnlyList<(string[] Path, bool Equal, string Value)> requirements) => _requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    public bool Matches(JsonObject obj) =>
        _requirements.All(r => (obj.Text(r.Path) ?? "") == r.Value == r.Equal);

    public static FieldSelector Parse(ResourceKind kind, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var requirements = new List<(string[], bool, string)>();
        foreach (var term in text.Split(','))
        {
            var (field, equal, value) = Split(term);
            if (!Common.Contains(field) && !(Supported.TryGetValue(kind, out var fields) && fields.Contains(field)))
            {
                throw ApiException.BadRequest($"\"{field}\" is not a known field selector: only \"{string.Join("\", \"", Common.Concat(Supported.GetValueOrDefault(kind) ?? []))}\"");
            }
            // Events' "source" is the reporting component's name.
            var path = kind == ResourceKind.Events && field == "source" ? "source.component" : field;
            requirements.Add((path.Split('.'), equal, value));
        }
        return new FieldSelector(requirements);
    }

    private static (string Field, bool Equal, string Value) Split(string term)
    {
        foreach (var (op, equal) in new[] { ("!=", false), ("==", true), ("=", true) })
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                return (term[..at].Trim(), equal, term[(at + op.Length)..].Trim());
            }
        }
        throw ApiException.BadRequest($"invalid selector: '{term}'; can't understand '{term}'");
    }
}
