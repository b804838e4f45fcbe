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
