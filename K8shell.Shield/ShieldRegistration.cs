using K8shell.Shield.Bans;
using K8shell.Shield.Consuming;
using K8shell.Shield.Detection;
using K8shell.Shield.Nftables;
using K8shell.Shield.State;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace K8shell.Shield;

/// <summary>Registers Shield's parts; NATS is the service's own connection: call ServiceDefaults' <c>AddNatsClient</c> first.</summary>
internal static class ShieldRegistration
{
    /// <summary>Options from section <c>Shield</c>, validated at start (a bad value fails the start, naming its key).</summary>
    public static TBuilder AddShield<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ShieldOptions>().BindConfiguration(ShieldOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ShieldTelemetry>();
        builder.Services.AddSingleton<ShieldBuckets>();
        builder.Services.AddSingleton<FailureDetector>();
        builder.Services.AddSingleton<StateCleanup>();
        builder.Services.AddSingleton<ShieldState>();
        builder.Services.AddSingleton<BanIssuer>();
        builder.Services.TryAddSingleton<ICommandRunner, ProcessCommandRunner>();
        // A plugin only when enabled, so a host without nft never runs it.
        if (builder.Configuration.GetValue<bool>($"{ShieldOptions.Section}:{nameof(ShieldOptions.Nftables)}:{nameof(NftablesOptions.Enabled)}"))
        {
            builder.Services.AddSingleton<IBanPlugin, NftablesPlugin>();
        }
        builder.Services.AddHostedService<FailureConsumer>();
        builder.Services.AddHostedService<StateCollector>();
        return builder;
    }
}
