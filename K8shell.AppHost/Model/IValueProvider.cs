namespace K8shell.AppHost.Model;

/// <summary>A value known when the stack runs locally: a port once allocated, a parameter once read.</summary>
public interface IValueProvider
{
    string GetValue();
}

/// <summary>The same value in a manifest: a placeholder the deployer resolves, e.g. <c>{identity.bindings.grpc.url}</c>.</summary>
public interface IManifestExpressionProvider
{
    string ValueExpression { get; }
}

/// <summary>A model value (a string, a number, a provider) as a local run reads it and as a manifest writes it.</summary>
internal static class ModelValue
{
    public static string Resolve(object value) =>
        value is IValueProvider provider ? provider.GetValue() : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";

    public static string Expression(object value) =>
        value is IManifestExpressionProvider provider ? provider.ValueExpression : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
