namespace K8shell.AppHost.Model;

/// <summary>
/// A string built from literals and values (endpoints, parameters, connection strings), resolved to a real
/// string when running and to placeholders when publishing: <c>ReferenceExpression.Create($"nats://{host}:{port}")</c>.
/// </summary>
public sealed record ReferenceExpression(string Format, IReadOnlyList<object> Values) : IValueProvider, IManifestExpressionProvider
{
    public static ReferenceExpression Create(FormattableString expression) =>
        new(expression.Format, expression.GetArguments().Select(value => value ?? "").ToArray());

    public string ValueExpression => Render(ModelValue.Expression);

    public string GetValue() => Render(ModelValue.Resolve);

    public override string ToString() => ValueExpression;

    private string Render(Func<object, string> part) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, Format, [.. Values.Select(part)]);
}

/// <summary>
/// A part of an expression that deployments have and the local run does not, e.g. NATS credentials: the local
/// nats-server listens on loopback only and without auth, as the stack always ran; a cluster's needs a password.
/// </summary>
public sealed record PublishOnly(ReferenceExpression Expression) : IValueProvider, IManifestExpressionProvider
{
    public string ValueExpression => Expression.ValueExpression;

    public string GetValue() => "";
}
