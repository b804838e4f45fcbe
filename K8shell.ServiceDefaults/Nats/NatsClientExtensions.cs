using K8shell.ServiceDefaults.Nats;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;

namespace K8shell.ServiceDefaults;

/// <summary>The NATS client registration that Aspire.NATS.Net would give (that package is not in our registry).</summary>
public static class NatsClientExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="INatsConnection"/> for <c>ConnectionStrings:{connectionName}</c>,
    /// a <c>nats</c> health check and the NATS trace source.
    /// </summary>
    public static TBuilder AddNatsClient<TBuilder>(
        this TBuilder builder,
        string connectionName,
        Action<NatsClientSettings>? configureSettings = null,
        Func<NatsOpts, NatsOpts>? configureOptions = null) where TBuilder : IHostApplicationBuilder
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = new NatsClientSettings();
        builder.Configuration.GetSection(NatsClientSettings.ConfigurationSection).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        configureSettings?.Invoke(settings);

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"NATS is not configured: set ConnectionStrings:{connectionName} (environment ConnectionStrings__{connectionName}), " +
                "for example nats://127.0.0.1:4222.");
        }

        var applicationName = builder.Environment.ApplicationName;
        builder.Services.AddSingleton<INatsConnection>(services =>
        {
            var options = NatsOpts.Default with
            {
                Url = settings.ConnectionString,
                Name = applicationName,
                LoggerFactory = services.GetRequiredService<ILoggerFactory>(),
            };
            return new NatsConnection(configureOptions?.Invoke(options) ?? options);
        });

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new(
                name: "nats",
                factory: services => new NatsHealthCheck(services.GetRequiredService<INatsConnection>()),
                failureStatus: default,
                tags: default,
                timeout: TimeSpan.FromSeconds(5)));
        }

        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(OpenTelemetryExtensions.NatsTelemetryName));
        }
        return builder;
    }

    /// <summary>Registers a JetStream context over the NATS connection (KV buckets, streams).</summary>
    public static TBuilder AddNatsJetStream<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton<INatsJSContext>(services => services.GetRequiredService<INatsConnection>().CreateJetStreamContext());
        return builder;
    }
}
