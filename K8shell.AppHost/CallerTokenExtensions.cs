namespace K8shell.AppHost;

/// <summary>Service-to-service static tokens (K8shell.ServiceDefaults' <c>AddCallerAuthentication</c>), backed by a secret parameter.</summary>
public static class CallerTokenExtensions
{
    /// <summary>
    /// Lets this resource call <paramref name="service"/> with a token: a generated secret parameter
    /// <c>&lt;this&gt;-&lt;service&gt;-token</c> (new each local run unless <c>Parameters__…</c> sets it; generated once by a
    /// deployer), which the service allows under <c>&lt;callersSection&gt;:StaticTokens:&lt;this&gt;</c> and this
    /// resource sends (<c>Services:&lt;service&gt;:Token</c>).
    /// </summary>
    public static IResourceBuilder<T> WithCallerToken<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithEnvironment> service, string callersSection)
        where T : IResourceWithEnvironment
    {
        var token = builder.ApplicationBuilder.AddParameter(
            $"{builder.Resource.Name}-{service.Resource.Name}-token",
            new GenerateParameterDefault { MinLength = 32, Special = false },
            secret: true);
        service.WithEnvironment($"{callersSection.Replace(":", "__")}__StaticTokens__{builder.Resource.Name}", token);
        return builder.WithEnvironment($"Services__{service.Resource.Name}__Token", token);
    }
}
