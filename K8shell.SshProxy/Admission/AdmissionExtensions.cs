using K8shell.SshProxy.Admission.Bans;
using K8shell.SshProxy.Admission.Failures;
using K8shell.SshProxy.Admission.Limits;
using K8shell.SshProxy.Admission.ProxyProtocol;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace K8shell.SshProxy.Admission;

/// <summary>Registers what decides whether a connection gets to the SSH handshake, and what reports the ones that failed.</summary>
internal static class AdmissionExtensions
{
    /// <summary>
    /// <see cref="ProxyHeaderReader"/>, <see cref="StartupLimiter"/>, <see cref="BanList"/> and <see cref="FailurePublisher"/>
    /// (both hosted), with options from <c>SshProxy:ProxyProtocol</c>, <c>SshProxy:Limits</c>, <c>SshProxy:Bans</c> and
    /// <c>SshProxy:Failures</c>, validated at start. NATS is the service's own connection: call ServiceDefaults' <c>AddNatsClient</c> first.
    /// </summary>
    public static TBuilder AddAdmission<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddValidatedOptions<ProxyProtocolOptions>(ProxyProtocolOptions.Section)
            .AddValidatedOptions<StartupLimitOptions>(StartupLimitOptions.Section)
            .AddValidatedOptions<BanOptions>(BanOptions.Section)
            .AddValidatedOptions<FailureOptions>(FailureOptions.Section);

        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProxyHeaderReader>();
        builder.Services.AddSingleton<StartupLimiter>();
        builder.Services.AddSingleton<BanList>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BanList>());
        builder.Services.AddSingleton<FailurePublisher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FailurePublisher>());
        return builder;
    }

    /// <summary>Each options class says what is wrong with it (<see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>), naming the key.</summary>
    private static IHostApplicationBuilder AddValidatedOptions<TOptions>(this IHostApplicationBuilder builder, string section) where TOptions : class
    {
        builder.Services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
