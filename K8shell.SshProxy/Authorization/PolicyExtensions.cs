using Microsoft.Extensions.Options;

namespace K8shell.SshProxy.Authorization;

public static class PolicyExtensions
{
    /// <summary>
    /// The policy engine (SPEC.md §4) from section <c>SshProxy:Policy</c>, checked at start. Connection handlers
    /// resolve <c>PolicyEngine</c> and bind it to a user with <c>ConnectionAuthorizer.ForUser</c>.
    /// </summary>
    public static TBuilder AddPolicies<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<PolicyOptions>().Bind(builder.Configuration.GetSection(PolicyOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidation>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<PolicyMetrics>();
        builder.Services.AddSingleton<PolicyEngine>();
        return builder;
    }
}
