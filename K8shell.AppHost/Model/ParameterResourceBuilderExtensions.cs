namespace K8shell.AppHost.Model;

/// <summary><c>AddParameter</c>: inputs from outside the model (passwords, tokens, settings).</summary>
public static class ParameterResourceBuilderExtensions
{
    /// <summary>A parameter with no default: locally from <c>Parameters__&lt;name&gt;</c>, deployed from the deployer's prompt.</summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, bool secret = false) =>
        builder.AddResource(new ParameterResource(name, secret, Default: null));

    /// <summary>A parameter with a default value, which deployments also get.</summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, string value, bool secret = false) =>
        builder.AddResource(new ParameterResource(name, secret, new ConstantParameterDefault(value)));

    /// <summary>A parameter whose default is generated (<see cref="GenerateParameterDefault"/>): locally once per run, by the deployer once per environment.</summary>
    public static IResourceBuilder<ParameterResource> AddParameter(this IDistributedApplicationBuilder builder, string name, ParameterDefault value, bool secret = false) =>
        builder.AddResource(new ParameterResource(name, secret, value));
}
