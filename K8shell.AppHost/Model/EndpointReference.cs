namespace K8shell.AppHost.Model;

/// <summary>One endpoint of a resource, as a value: its URL locally, <c>{name.bindings.endpoint.url}</c> in a manifest.</summary>
public sealed record EndpointReference(IResourceWithEndpoints Resource, string EndpointName) : IValueProvider, IManifestExpressionProvider
{
    public EndpointAnnotation Endpoint =>
        Resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(endpoint => endpoint.Name == EndpointName)
        ?? throw new InvalidOperationException($"{Resource.Name} has no endpoint named '{EndpointName}'");

    public string ValueExpression => Property(EndpointProperty.Url).ValueExpression;

    public string GetValue() => Property(EndpointProperty.Url).GetValue();

    /// <summary>One part of the address (host, port, ...), to compose connection strings.</summary>
    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);
}

/// <summary>The parts of an endpoint azd can resolve (<c>bindings.&lt;name&gt;.url|host|port|targetPort|scheme</c>).</summary>
public enum EndpointProperty
{
    Url,
    Host,
    Port,
    TargetPort,
    Scheme,
}

/// <summary>One part of an endpoint as a value.</summary>
public sealed record EndpointReferenceExpression(EndpointReference Endpoint, EndpointProperty Property) : IValueProvider, IManifestExpressionProvider
{
    public string ValueExpression =>
        $"{{{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}.{char.ToLowerInvariant(Property.ToString()[0])}{Property.ToString()[1..]}}}";

    public string GetValue()
    {
        var allocated = Endpoint.Endpoint.Allocated
            ?? throw new InvalidOperationException($"{Endpoint.Resource.Name}'s endpoint '{Endpoint.EndpointName}' has no address yet");
        return Property switch
        {
            EndpointProperty.Url => allocated.Url,
            EndpointProperty.Host => allocated.Host,
            EndpointProperty.Port or EndpointProperty.TargetPort => allocated.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            EndpointProperty.Scheme => allocated.Scheme,
            _ => throw new ArgumentOutOfRangeException(nameof(Property)),
        };
    }
}
