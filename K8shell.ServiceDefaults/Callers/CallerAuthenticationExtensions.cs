using K8shell.ServiceDefaults.Callers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace K8shell.ServiceDefaults;

/// <summary>Who may call a service's RPCs: the same checks for every K8shell service, each with its own settings.</summary>
public static class CallerAuthenticationExtensions
{
    /// <summary>
    /// Callers must send <c>authorization: Bearer &lt;credential&gt;</c>, a static token or a Kubernetes service-account
    /// token, as configured under <paramref name="section"/> (e.g. <c>Identity:Callers</c>). Service-account tokens must be
    /// for <paramref name="audience"/> unless <c>&lt;section&gt;:Kubernetes:Audience</c> says otherwise: a token a caller
    /// got for one service is then no good at another. Endpoints opt in with <c>RequireAuthorization()</c>.
    /// </summary>
    public static TBuilder AddCallerAuthentication<TBuilder>(this TBuilder builder, string section, string audience) where TBuilder : IHostApplicationBuilder
    {
        ArgumentException.ThrowIfNullOrEmpty(section);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        // The defaults first, so that what the configuration says wins.
        builder.Services.AddOptions<CallerOptions>()
            .Configure(options =>
            {
                options.Section = section;
                options.Kubernetes.Audience = audience;
            })
            .BindConfiguration(section)
            .ValidateOnStart();
        // Before validation, so the paths InCluster implies are checked like ones set by hand.
        builder.Services.PostConfigure<CallerOptions>(options => options.Kubernetes.ApplyInCluster());
        builder.Services.AddSingleton<IValidateOptions<CallerOptions>, CallerOptionsValidation>();
        builder.Services.AddSingleton<CallerCredentials>();
        builder.Services.AddSingleton<IssuerClient>();
        builder.Services.AddSingleton<IssuerKeys>();
        builder.Services.AddSingleton<ServiceAccountTokens>();
        builder.Services.AddAuthentication(CallerAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, CallerAuthentication>(CallerAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        return builder;
    }
}
