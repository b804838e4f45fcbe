using System.Globalization;
using System.Text;

namespace K8shell.AppHost.Publishing.Kubernetes;

/// <summary>
/// A model value (endpoint, parameter, connection string, expression) as it is inside the cluster: an endpoint
/// is its resource's Service (<c>http://identity:9020</c>), a secret parameter a required chart value.
/// </summary>
internal static class ClusterValue
{
    public static HelmText Of(object value) => value switch
    {
        string text => HelmText.Of(text),
        ParameterResource parameter => Parameter(parameter),
        IResourceWithConnectionString resource => Of(resource.ConnectionStringExpression),
        PublishOnly publishOnly => Of(publishOnly.Expression),
        ReferenceExpression expression => Expression(expression),
        EndpointReference endpoint => Of(endpoint.Property(EndpointProperty.Url)),
        EndpointReferenceExpression part => HelmText.Of(Endpoint(part)),
        _ => HelmText.Of(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    /// <summary>Secret parameters under <c>secrets</c>, the others under <c>parameters</c>, by their Helm key.</summary>
    public static HelmText Parameter(ParameterResource parameter) => parameter.Secret
        ? HelmText.RequiredSecret($"secrets.{ChartNames.Key(parameter.Name)}")
        : HelmText.Value($"parameters.{ChartNames.Key(parameter.Name)}");

    /// <summary>
    /// Services listen on their endpoints' target ports (<see cref="ServiceTemplate"/>), so others reach an
    /// endpoint at <c>&lt;resource&gt;:&lt;target port&gt;</c>.
    /// </summary>
    private static string Endpoint(EndpointReferenceExpression part)
    {
        var endpoint = part.Endpoint.Endpoint;
        var host = part.Endpoint.Resource.Name;
        var port = (endpoint.TargetPort ?? endpoint.Port
            ?? throw new InvalidOperationException($"{host}'s endpoint '{endpoint.Name}' has no port to publish")).ToString(CultureInfo.InvariantCulture);
        return part.Property switch
        {
            EndpointProperty.Url => $"{endpoint.Scheme}://{host}:{port}",
            EndpointProperty.Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port,
            EndpointProperty.Scheme => endpoint.Scheme,
            _ => throw new ArgumentOutOfRangeException(nameof(part)),
        };
    }

    /// <summary>The composite format of <paramref name="expression"/> with each <c>{n}</c> replaced by its value's text.</summary>
    private static HelmText Expression(ReferenceExpression expression)
    {
        var parts = new List<HelmText>();
        var literal = new StringBuilder();
        var format = expression.Format;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] is '{' or '}' && i + 1 < format.Length && format[i + 1] == format[i])
            {
                literal.Append(format[i++]);
            }
            else if (format[i] == '{')
            {
                var end = format.IndexOf('}', i);
                var index = int.Parse(format.AsSpan(i + 1, end - i - 1).ToString().Split(',', ':')[0], CultureInfo.InvariantCulture);
                parts.Add(HelmText.Of(literal.ToString()));
                literal.Clear();
                parts.Add(Of(expression.Values[index]));
                i = end;
            }
            else
            {
                literal.Append(format[i]);
            }
        }
        parts.Add(HelmText.Of(literal.ToString()));
        return Merge(HelmText.Concat(parts));
    }

    /// <summary>Adjacent literals as one, and no empty ones, so a single action stays recognisable as one.</summary>
    private static HelmText Merge(HelmText text)
    {
        var merged = new List<HelmText.Part>();
        foreach (var part in text.Parts)
        {
            if (part is HelmText.Literal { Text.Length: 0 })
            {
                continue;
            }
            if (part is HelmText.Literal next && merged.Count > 0 && merged[^1] is HelmText.Literal previous)
            {
                merged[^1] = new HelmText.Literal(previous.Text + next.Text);
            }
            else
            {
                merged.Add(part);
            }
        }
        return new HelmText(merged.Count == 0 ? [new HelmText.Literal("")] : merged);
    }
}
