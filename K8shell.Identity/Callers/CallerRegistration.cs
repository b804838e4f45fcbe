using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace K8shell.Identity.Callers;

public static class CallerRegistration
{
    public static WebApplicationBuilder AddCallerAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallerOptions>().BindConfiguration(CallerOptions.Section).ValidateOnStart();
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
