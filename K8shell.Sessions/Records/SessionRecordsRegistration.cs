namespace K8shell.Sessions.Records;

/// <summary>Session records: the store, SessionService, the janitor, retention and <c>/api/sessions</c>.</summary>
internal static class SessionRecordsRegistration
{
    public static WebApplicationBuilder AddSessionRecords(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JanitorOptions>().BindConfiguration(JanitorOptions.Section)
            .Validate(options => options.Ttl > TimeSpan.Zero, $"{JanitorOptions.Section}:Ttl must be positive")
            .Validate(options => options.Interval > TimeSpan.Zero, $"{JanitorOptions.Section}:Interval must be positive")
            .Validate(options => options.BatchSize is > 0 and <= 10_000, $"{JanitorOptions.Section}:BatchSize must be from 1 to 10000")
            .ValidateOnStart();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .Validate(options => options.MaxAge >= TimeSpan.Zero && options.MaxAge <= MaxRetention,
                $"{RetentionOptions.Section}:MaxAge must be from 0 (keep everything) to {MaxRetention.Days} days")
            .Validate(options => options.Interval > TimeSpan.Zero, $"{RetentionOptions.Section}:Interval must be positive")
            .Validate(options => options.BatchSize is > 0 and <= 10_000, $"{RetentionOptions.Section}:BatchSize must be from 1 to 10000")
            .ValidateOnStart();
        builder.Services.AddSingleton<RecordingsOfSessions>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<DatabaseLeases>();
        builder.Services.AddHostedService<SessionJanitor>();
        builder.Services.AddSingleton<IRetentionTarget, EndedSessionsRetention>();
        builder.Services.AddHostedService<RetentionRunner>();
        builder.Services.AddGrpc().AddServiceOptions<SessionGrpcService>(grpc => grpc.Interceptors.Add<StoreFailures>());
        return builder;
    }

    public static WebApplication MapSessionRecords(this WebApplication app)
    {
        app.MapGrpcService<SessionGrpcService>().RequireAuthorization();
        app.MapSessionsHttpApi();
        return app;
    }

    /// <summary>A century: more would put the cutoff before the first representable time.</summary>
    private static readonly TimeSpan MaxRetention = TimeSpan.FromDays(36_500);
}
