using System.Text.Json.Nodes;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// values.yaml as Aspire's charts have it: <c>parameters</c> (images, sizes, the model's plain parameters),
/// <c>config.&lt;resource&gt;.&lt;variable&gt;</c> (each plain environment variable) and <c>secrets</c>. Secrets
/// are keyed by parameter, not by resource, so a caller token both sides share is given once; they have no
/// default at all, so nothing that looks like a real secret is ever shipped.
/// </summary>
internal sealed class ChartValues
{
    private readonly JsonObject _parameters = [];
    private readonly JsonObject _config = [];
    private readonly JsonObject _secrets = [];

    /// <summary>A setting of <paramref name="resource"/> with its default; the template reads it from values.</summary>
    public HelmText Parameter(string resource, string name, string defaultValue) =>
        Add(_parameters, "parameters", ChartNames.Key(resource), ChartNames.Key(name), defaultValue);

    /// <summary>A plain environment variable of <paramref name="resource"/>, overridable per install.</summary>
    public HelmText Config(string resource, string variable, string defaultValue) =>
        Add(_config, "config", ChartNames.Key(resource), ChartNames.Key(variable), defaultValue);

    /// <summary>A model parameter: secret ones empty (required at install), others with their default.</summary>
    public void Add(ParameterResource parameter)
    {
        var key = ChartNames.Key(parameter.Name);
        var target = parameter.Secret ? _secrets : _parameters;
        if (target.ContainsKey(key))
        {
            throw new InvalidOperationException($"Two chart values are named '{key}'.");
        }
        target[key] = parameter is { Secret: false, Default: ConstantParameterDefault constant } ? constant.Value : "";
    }

    public JsonObject ToJson() => new()
    {
        ["parameters"] = _parameters.DeepClone(),
        ["config"] = _config.DeepClone(),
        ["secrets"] = _secrets.DeepClone(),
    };

    private static HelmText Add(JsonObject section, string sectionName, string group, string key, string defaultValue)
    {
        if (section[group] is not JsonObject values)
        {
            if (section.ContainsKey(group))
            {
                throw new InvalidOperationException($"'{sectionName}.{group}' is both a value and a group.");
            }
            section[group] = values = [];
        }
        values[key] = defaultValue;
        return HelmText.Value($"{sectionName}.{group}.{key}");
    }
}
